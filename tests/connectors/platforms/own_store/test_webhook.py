"""The own store's webhook, end to end through ``/hooks/own_store/<connection id>/`` with real signatures."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from commerce.inventory.models import StockItem
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from connectors.models import WebhookDelivery
from connectors.platforms.own_store.manifest import CONNECTOR
from connectors.services.connections import ConnectionInput, connection_create
from core.errors import InvalidInput
from tests.conftest import client_for
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

from .conftest import FIXTURES, SECRET, fixture, post, signed

CREATED = fixture("order.created")


def _outcomes() -> list[tuple[str, bool]]:
    return list(WebhookDelivery.objects.order_by("id").values_list("outcome", "verified"))


def test_every_event_it_handles_has_a_fixture():
    assert sorted(path.stem for path in FIXTURES.glob("*.json")) == sorted(CONNECTOR.inbound.topics)
    assert CONNECTOR.inbound.topics == ("order.created", "order.updated", "order.paid", "order.cancelled")


def test_the_created_fixture_creates_the_order_on_the_connections_channel(own_store):
    answer = post(own_store, CREATED, signed(CREATED, event_id="evt-created-1"))

    assert answer.status_code == 200
    assert answer.json() == {"received": True}
    order = Order.objects.get()
    assert (order.channel.code, order.external_id, order.status) == (
        "wechat_mini",
        "WX20260301-0001",
        "pending_payment",
    )
    assert (order.ship_to_name, order.ship_to_phone, order.province, order.city, order.district) == (
        "王芳",
        "13800138000",
        "浙江省",
        "杭州市",
        "西湖区",
    )
    assert (order.address_line, order.postcode) == ("文三路 90 号 3 幢 501", "310012")
    assert list(order.lines.order_by("position").values_list("sku", "quantity", "unit_price")) == [
        ("TEA-0001", 2, Decimal("368.00")),
        ("TEA-0002", 1, Decimal("168.00")),
    ]
    assert (order.goods_amount, order.discount_amount, order.total_amount) == (
        Decimal("904.00"),
        Decimal("20.00"),
        Decimal("884.00"),
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.verified, delivery.topic, delivery.dedup_key) == (
        "processed",
        True,
        "order.created",
        "evt-created-1",
    )
    assert bytes(delivery.body) == CREATED
    assert delivery.result == {"orders": [{"external_id": "WX20260301-0001", "order": order.pk, "outcome": "created"}]}
    assert OutboxEvent.objects.filter(name="order.created").count() == 1


def test_the_four_events_in_turn_move_the_order_and_release_its_stock_on_cancel(own_store):
    answers = [
        post(own_store, fixture(event), signed(fixture(event), event=event, event_id=f"evt-{event}")).status_code
        for event in ("order.created", "order.paid", "order.updated", "order.cancelled")
    ]

    assert answers == [200, 200, 200, 200]
    order = Order.objects.get()
    assert order.status == "cancelled"
    assert (order.address_line, order.postcode) == ("文一西路 998 号 海创园 5 号楼", "311121")
    assert [r["outcome"] for d in WebhookDelivery.objects.order_by("id") for r in d.result["orders"]] == [
        "created",
        "updated",
        "updated",
        "updated",
    ]
    assert sorted(StockItem.objects.values_list("sku", "on_hand", "reserved")) == [
        ("TEA-0001", 50, 0),
        ("TEA-0002", 50, 0),
    ]


def test_a_view_older_than_the_stored_one_is_ignored(own_store):
    paid = fixture("order.paid")
    post(own_store, paid, signed(paid, event="order.paid", event_id="evt-paid"))

    late = post(own_store, CREATED, signed(CREATED, event_id="evt-created-late"))

    assert late.status_code == 200
    assert Order.objects.get().status == "paid"
    assert WebhookDelivery.objects.order_by("id").last().result["orders"][0]["outcome"] == "ignored"


def test_a_one_byte_change_in_body_signature_or_secret_is_rejected_and_changes_nothing(own_store):
    headers = signed(CREATED)
    changed_body = CREATED.replace(b'"quantity": 2', b'"quantity": 3')
    good = headers["X-Hub-Signature-256"]
    flipped = good[:-1] + ("0" if good[-1] != "0" else "1")
    other_secret = signed(CREATED, timestamp=int(headers["X-Orderflow-Timestamp"]), secret=SECRET[:-1] + "F")

    answers = [
        post(own_store, changed_body, headers),
        post(own_store, CREATED, {**headers, "X-Hub-Signature-256": flipped}),
        post(own_store, CREATED, other_secret),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert [a.json()["code"] for a in answers] == ["bad_signature"] * 3
    assert answers[0].json()["details"] == {"header": "X-Hub-Signature-256"}
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)] * 3


def test_an_old_body_cannot_be_sent_again_with_a_new_timestamp(own_store):
    captured = signed(CREATED, timestamp=int(time.time()) - 3600)

    answer = post(own_store, CREATED, {**captured, "X-Orderflow-Timestamp": str(int(time.time()))})

    assert answer.status_code == 401
    assert answer.json()["code"] == "bad_signature"
    assert Order.objects.count() == 0


@pytest.mark.parametrize(("offset", "words"), [(-301, "behind"), (301, "ahead of"), (-86_400, "behind")])
def test_a_timestamp_outside_five_minutes_is_refused(own_store, offset, words):
    headers = signed(CREATED, timestamp=int(time.time()) + offset)

    answer = post(own_store, CREATED, headers)

    assert answer.status_code == 401
    body = answer.json()
    assert body["code"] == "stale_timestamp"
    assert f" s {words} the server's clock" in body["message"]
    assert body["details"] == {"header": "X-Orderflow-Timestamp", "tolerance_seconds": 300}
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)]


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_timestamp_inside_five_minutes_is_accepted(own_store, offset):
    answer = post(own_store, CREATED, signed(CREATED, timestamp=int(time.time()) + offset))

    assert answer.status_code == 200
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "code", "details"),
    [
        ({"X-Hub-Signature-256": ""}, 401, "bad_signature", {"header": "X-Hub-Signature-256"}),
        ({"X-Hub-Signature-256": "sha1=abc"}, 401, "bad_signature", {"header": "X-Hub-Signature-256"}),
        ({"X-Orderflow-Timestamp": ""}, 401, "bad_timestamp", {"header": "X-Orderflow-Timestamp"}),
        ({"X-Orderflow-Timestamp": "1e9"}, 401, "bad_timestamp", {"header": "X-Orderflow-Timestamp"}),
        ({"X-Orderflow-Event-Id": ""}, 400, "missing_event_id", {"header": "X-Orderflow-Event-Id"}),
        ({"X-Orderflow-Event-Id": "has space"}, 400, "bad_event_id", {"header": "X-Orderflow-Event-Id"}),
        ({"X-Orderflow-Event-Id": "x" * 129}, 400, "bad_event_id", {"header": "X-Orderflow-Event-Id"}),
        (
            {"X-Orderflow-Event": "order.refunded"},
            400,
            "unknown_event",
            {
                "header": "X-Orderflow-Event",
                "allowed": ["order.created", "order.updated", "order.paid", "order.cancelled"],
            },
        ),
    ],
)
def test_a_missing_or_malformed_header_is_refused_naming_it(own_store, change, status, code, details):
    headers = {name: value for name, value in {**signed(CREATED), **change}.items() if value}

    answer = post(own_store, CREATED, headers)

    assert answer.status_code == status
    assert (answer.json()["code"], answer.json()["details"]) == (code, details)
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)]


def test_the_same_event_id_again_is_acknowledged_and_makes_one_order(own_store):
    first = post(own_store, CREATED, signed(CREATED, event_id="evt-42"))

    again = post(own_store, CREATED, signed(CREATED, event_id="evt-42"))

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": True}
    assert Order.objects.count() == 1
    assert OutboxEvent.objects.filter(name="order.created").count() == 1
    assert _outcomes() == [("processed", True), ("duplicate", True)]


def test_malformed_json_is_refused(own_store):
    body = CREATED[:-20]

    answer = post(own_store, body, signed(body))

    assert answer.status_code == 400
    assert answer.json()["code"] == "malformed_json"
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)]


def _changed(**changes) -> bytes:
    order = json.loads(CREATED)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = order
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is KeyError:
            del target[int(last) if isinstance(target, list) else last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return json.dumps(order, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (_changed(lines__0__quantity="2"), {"lines.0.quantity": "must be a whole number from 1 to 100000"}),
        (_changed(lines__0__quantity=0), {"lines.0.quantity": "must be a whole number from 1 to 100000"}),
        (_changed(lines__0__quantity=True), {"lines.0.quantity": "must be a whole number from 1 to 100000"}),
        (_changed(lines__1__sku=17), {"lines.1.sku": "must be a string"}),
        (
            _changed(lines__0__unit_price="368.001"),
            {"lines.0.unit_price": 'must be an amount such as "12.50": digits, at most 2 after the point'},
        ),
        (_changed(lines__0__unit_price=1e20), {"lines.0.unit_price": "must be from 0 to 9999999999.99"}),
        (_changed(lines__0__unit_price=-1), {"lines.0.unit_price": "must be from 0 to 9999999999.99"}),
        (_changed(lines__0__unit_price=None), {"lines.0.unit_price": "required"}),
        (_changed(lines=[]), {"lines": "must hold at least one line"}),
        (_changed(lines={"sku": "TEA-0001"}), {"lines": "must be a list of order lines"}),
        (_changed(external_id=12345), {"external_id": "must be a string"}),
        (_changed(external_id="x" * 65), {"external_id": "longer than 64 characters"}),
        (_changed(external_id=KeyError), {"external_id": "required"}),
        (
            _changed(status="shipped_maybe"),
            {
                "status": "must be one of "
                + ", ".join(
                    (
                        "pending_payment",
                        "paid",
                        "processing",
                        "shipped",
                        "delivered",
                        "completed",
                        "cancelled",
                        "closed",
                    )
                )
            },
        ),
        (
            _changed(updated_at="2026-03-01 10:15:00"),
            {"updated_at": "has no time zone: add +08:00, Z or the store's offset"},
        ),
        (
            _changed(updated_at="yesterday"),
            {"updated_at": "must be an ISO 8601 time with its zone, e.g. 2026-03-01T10:20:00+08:00"},
        ),
        (_changed(customer__phone="call me"), {"customer.phone": "has characters or a form this field does not take"}),
        (_changed(customer__name="   "), {"customer.name": "must not be blank"}),
        (_changed(customer__nickname="芳芳"), {"customer.nickname": "unknown field"}),
        (_changed(shipping_address__city="杭" * 33), {"shipping_address.city": "longer than 32 characters"}),
        (_changed(shipping_address__line="line\nbreak"), {"shipping_address.line": "must not hold control characters"}),
        (_changed(shipping_address="浙江省杭州市"), {"shipping_address": "must be a JSON object"}),
        (_changed(customer=KeyError), {"customer": "required"}),
        (
            _changed(channel="tmall"),
            {"channel": "not accepted: the connection decides the channel (its settings' channel)"},
        ),
        (_changed(shiping_address={}), {"shiping_address": "unknown field"}),
        (b"[1, 2, 3]", {"body": "not an object"}),
        (
            _changed(lines__0__quantity="1", discount_amount="lots"),
            {
                "lines.0.quantity": "must be a whole number from 1 to 100000",
                "discount_amount": 'must be an amount such as "12.50": digits, at most 2 after the point',
            },
        ),
    ],
)
def test_a_body_that_is_not_an_order_is_refused_naming_every_wrong_field(own_store, body, details):
    answer = post(own_store, body, signed(body))

    assert answer.status_code == 400
    assert answer.json()["code"] == "malformed_payload"
    assert answer.json()["details"] == details
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)]


def test_a_body_over_256_kb_answers_413(own_store):
    body = _changed(customer__name="王" * 100_000)  # 300 KB of UTF-8, under the hook's 1 MB limit

    answer = post(own_store, body, signed(body))

    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"
    assert answer.json()["details"] == {"limit_bytes": 262_144}
    assert Order.objects.count() == 0
    assert _outcomes() == [("rejected", False)]


def test_an_unknown_sku_fails_the_delivery_which_an_admin_replays_once_the_product_exists(own_store):
    body = _changed(lines__1__sku="TEA-0404")
    answer = post(own_store, body, signed(body, event_id="evt-unknown-sku"))
    delivery = WebhookDelivery.objects.get()

    assert answer.status_code == 200
    assert (delivery.outcome, delivery.verified) == ("failed", True)
    assert delivery.error == "WX20260301-0001: unknown_sku: An order line names a SKU that is not in the catalog."
    assert Order.objects.count() == 0

    ProductFactory(sku="TEA-0404", title="TEA-0404", price="10.00")
    StockItemFactory(sku="TEA-0404", warehouse=WarehouseFactory(code="sh-main"), on_hand=5)
    replay = client_for("admin").post(f"/api/v1/deliveries/{delivery.pk}/replay/")

    assert replay.status_code == 201, replay.json()
    assert (replay.json()["outcome"], replay.json()["replay_of"]) == ("processed", delivery.pk)
    assert Order.objects.get().lines.count() == 2
    assert _outcomes() == [("failed", True), ("processed", True)]


def test_the_connections_channel_setting_decides_the_channel(mini_stock):
    ChannelFactory(code="h5_store", name="H5 商城", kind="own_store")
    connection = connection_create(
        data=ConnectionInput(
            connector="own_store", name="H5", credentials={"signing_secret": SECRET}, settings={"channel": "h5_store"}
        )
    )

    answer = post(connection, CREATED, signed(CREATED))

    assert answer.status_code == 200
    assert Order.objects.get().channel.code == "h5_store"


def test_a_secret_shorter_than_32_characters_is_refused_when_the_connection_is_made(db):
    with pytest.raises(InvalidInput) as refused:
        connection_create(
            data=ConnectionInput(
                connector="own_store", name="weak", credentials={"signing_secret": "short"}, settings={}
            )
        )

    assert refused.value.details == {"credentials.signing_secret": "does not match the 'minLength' rule of the schema"}


def test_a_view_dated_after_its_sending_is_refused(own_store):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = _changed(updated_at=future)

    answer = post(own_store, body, signed(body))

    assert answer.status_code == 400
    assert answer.json()["details"] == {
        "updated_at": "later than the delivery's X-Orderflow-Timestamp; send the time of this view"
    }
    assert Order.objects.count() == 0
