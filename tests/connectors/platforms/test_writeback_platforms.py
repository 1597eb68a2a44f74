"""Tracking-number write-back to every sales channel, each through its sandbox speaking the platform's API.

Each platform's sandbox checks the request's signature (or token), records what shipped and moves
its own order to shipped; these tests read that state back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from commerce.audit.models import AuditEntry
from commerce.shipments import parcels
from commerce.shipments.models import Shipment
from connectors.base import ParcelShipped, ProviderError
from connectors.platforms.writeback import WRITERS, shipment_write_back
from connectors.registry import CONNECTORS
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, create_order

pytestmark = pytest.mark.django_db

SKUS = ("TEA-001", "CUP-002")


@dataclass(frozen=True)
class Platform:
    """How to read one platform's sandbox order: its id, lines, shipped state and recorded numbers."""

    key: str
    secret: str  # the client attribute that signs (or authorises) its calls

    def order_id(self, order: dict) -> str:
        return {
            "taobao": lambda: order["tid_str"],
            "jd": lambda: order["orderId"],
            "pinduoduo": lambda: order["order_sn"],
            "douyin": lambda: order["order_id"],
            "shopify": lambda: str(order["id"]),
            "own_store": lambda: order["external_id"],
        }[self.key]()

    def lines(self, order: dict) -> list[tuple[str, int]]:
        raw: list[tuple[Any, Any]] = {
            "taobao": lambda: [(line["outer_sku_id"], line["num"]) for line in order["orders"]["order"]],
            "jd": lambda: [(line["outerSkuId"], line["itemTotal"]) for line in order["itemInfoList"]],
            "pinduoduo": lambda: [(line["outer_id"], line["goods_count"]) for line in order["item_list"]],
            "douyin": lambda: [(line["code"], line["item_num"]) for line in order["sku_order_list"]],
            "shopify": lambda: [(line["sku"], line["quantity"]) for line in order["line_items"]],
            "own_store": lambda: [(line["sku"], line["quantity"]) for line in order["lines"]],
        }[self.key]()
        return [(str(sku), int(quantity)) for sku, quantity in raw]

    def shipped(self, order: dict) -> bool:
        return {
            "taobao": lambda: order["status"] == "WAIT_BUYER_CONFIRM_GOODS",
            "jd": lambda: order["orderState"] == "WAIT_GOODS_RECEIVE_CONFIRM",
            "pinduoduo": lambda: order["order_status"] == 2,
            "douyin": lambda: order["order_status"] == 3,
            "shopify": lambda: order["fulfillment_status"] == "fulfilled",
            "own_store": lambda: order["status"] == "shipped",
        }[self.key]()

    def numbers(self, order: dict) -> dict[str, set[str]]:
        """SKU → the tracking numbers the platform shows for it (a whole-order number counts for every SKU)."""
        skus = [sku for sku, _ in self.lines(order)]
        if self.key == "taobao":
            return {line["outer_sku_id"]: {line["out_sid"]} for line in order["orders"]["order"] if line.get("out_sid")}
        if self.key == "jd":
            return {sku: {order["waybill"]} for sku in skus} if order.get("waybill") else {}
        if self.key == "pinduoduo":
            found = {order["tracking_number"]} if order.get("tracking_number") else set()
            found |= {track["tracking_number"] for track in order.get("extra_tracks") or []}
            return {sku: found for sku in skus} if found else {}
        if self.key == "douyin":
            return {
                sub["code"]: {sub["logistics_code"]} for sub in order["sku_order_list"] if sub.get("logistics_code")
            }
        if self.key == "shopify":
            shown: dict[str, set[str]] = {}
            for fulfillment in order["fulfillments"]:
                for item in fulfillment["line_items"]:
                    shown.setdefault(item["sku"], set()).update(fulfillment["tracking_numbers"])
            return shown
        shown = {}
        for shipment in order.get("shipments") or []:
            for sku in shipment["lines"]:
                shown.setdefault(sku, set()).add(shipment["tracking_no"])
        return shown


PLATFORMS = {
    platform.key: platform
    for platform in (
        Platform("taobao", "app_secret"),
        Platform("jd", "app_secret"),
        Platform("pinduoduo", "client_secret"),
        Platform("douyin", "app_secret"),
        Platform("shopify", "access_token"),
        Platform("own_store", "secret"),
    )
}
# Platforms that take a split parcel's own lines (the others ship the whole order with its first parcel).
BY_LINES = ("taobao", "douyin", "shopify", "own_store")


@pytest.fixture(params=sorted(PLATFORMS))
def platform(request) -> Platform:
    return PLATFORMS[request.param]


@pytest.fixture
def shop(platform, channel, stocked):
    """The platform's sandbox connection (orders landing on ``tmall``) and its simulator."""
    ProductFactory(sku="CUP-002", title="茶杯", price="39.00")
    StockItemFactory(sku="CUP-002", warehouse=stocked.warehouse, on_hand=100)
    connection = connection_create(
        data=ConnectionInput(
            connector=platform.key,
            name=f"{platform.key} 沙箱",
            credentials={},
            settings={"channel": "tmall"},
            sandbox=True,
        )
    )
    connector = next(c for c in CONNECTORS if c.key == platform.key)
    assert connector.sandbox is not None
    return connection, connector.sandbox(connection)


def _sandbox_order(platform: Platform, simulator, channel, external_suffix: str = "") -> tuple[str, Any]:
    """A sandbox order of both SKUs, and the same order in Orderflow (paid)."""
    for _ in range(40):
        [made] = simulator.orders_create(1, list(SKUS))
        if len(platform.lines(made)) == 2:
            break
    else:
        raise AssertionError("the sandbox made no two-line order")
    external_id = platform.order_id(made)
    order = create_order(channel, external_id=external_id, lines=tuple(platform.lines(made)), status="paid")
    return external_id, order


def _stored(platform: Platform, simulator, external_id: str) -> dict:
    if platform.key == "shopify":
        return simulator.order(external_id)
    if platform.key == "own_store":
        from connectors.models import SandboxRecord

        return SandboxRecord.objects.get(connection=simulator.connection, kind="order", key=external_id).data
    return simulator.record("order", external_id)


def _ship(parcel, number, *, courier="sf", carrier=""):
    parcels.parcel_waybill_record(
        parcel_id=parcel.pk,
        courier=courier,
        carrier=carrier,
        tracking_no=number,
        waybill={},
        idempotency_key=f"{parcel.pk}:{number}",
        actor=TEST_ACTOR,
    )
    parcels.parcel_ship(parcel_id=parcel.pk, actor=TEST_ACTOR)
    return Shipment.objects.filter(parcel=parcel).order_by("pk")


def _notes(order) -> list[str]:
    entries = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action="noted")
    return [entry.changes["text"] for entry in entries if "written back" in entry.changes["text"]]


def test_a_whole_order_is_written_back_once_and_the_platform_order_ships(platform, shop, channel):
    connection, simulator = shop
    external_id, order = _sandbox_order(platform, simulator, channel)
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    [shipment] = _ship(parcel, "SF7000000000001")

    first = shipment_write_back(shipment_id=shipment.pk)
    again = shipment_write_back(shipment_id=shipment.pk)

    assert first == again
    assert first == {"written": True, "connector": platform.key, "tracking_no": "SF7000000000001", "sub_tids": []}
    stored = _stored(platform, simulator, external_id)
    assert platform.shipped(stored)
    assert platform.numbers(stored) == {sku: {"SF7000000000001"} for sku in SKUS}
    assert len(_notes(order)) == 1 and connection.name in _notes(order)[0]


def test_a_split_parcel_sends_only_its_own_lines(platform, shop, channel):
    _connection, simulator = shop
    external_id, order = _sandbox_order(platform, simulator, channel)
    later_sku = order.lines.order_by("position").first().sku
    early_sku = next(sku for sku in SKUS if sku != later_sku)
    boxes = parcels.order_split(order_id=order.pk, by="availability", later_skus=[later_sku], actor=TEST_ACTOR)
    [early] = _ship(boxes[0], "SF7000000000002")

    now = shipment_write_back(shipment_id=early.pk)

    stored = _stored(platform, simulator, external_id)
    assert now["written"] is True
    if platform.key in BY_LINES:
        assert platform.numbers(stored) == {early_sku: {"SF7000000000002"}}
        assert not platform.shipped(stored)
        assert len(now["sub_tids"]) == 1
    else:  # one number per order: the first parcel ships it whole
        assert platform.shipped(stored) and now["sub_tids"] == []

    [later] = _ship(boxes[1], "SF7000000000003")
    after = shipment_write_back(shipment_id=later.pk)

    stored = _stored(platform, simulator, external_id)
    assert platform.shipped(stored)
    if platform.key in BY_LINES:
        assert platform.numbers(stored) == {early_sku: {"SF7000000000002"}, later_sku: {"SF7000000000003"}}
        assert after["written"] is True and after["sub_tids"] != now["sub_tids"]
    elif platform.key == "pinduoduo":  # the later parcel is an extra number (分包发货)
        assert after["written"] is True
        assert platform.numbers(stored)[later_sku] == {"SF7000000000002", "SF7000000000003"}
    else:
        assert after == {"written": False, "reason": "whole_order_only", "connector": "jd"}
        assert platform.numbers(stored)[later_sku] == {"SF7000000000002"}
    assert shipment_write_back(shipment_id=later.pk) == after


def test_a_merged_parcel_writes_back_each_order_once(platform, shop, channel):
    _connection, simulator = shop
    first_id, first = _sandbox_order(platform, simulator, channel)
    second_id, second = _sandbox_order(platform, simulator, channel)
    parcel = parcels.orders_merge(order_ids=[first.pk, second.pk], actor=TEST_ACTOR)
    shipments = list(_ship(parcel, "SF7000000000004"))
    assert len(shipments) == 2

    answers = [shipment_write_back(shipment_id=shipment.pk) for shipment in shipments]
    answers += [shipment_write_back(shipment_id=shipment.pk) for shipment in shipments]

    assert all(answer["written"] is True and answer["sub_tids"] == [] for answer in answers)
    for external_id, order in ((first_id, first), (second_id, second)):
        stored = _stored(platform, simulator, external_id)
        assert platform.shipped(stored)
        assert platform.numbers(stored) == {sku: {"SF7000000000004"} for sku in SKUS}
        assert len(_notes(order)) == 1


def test_a_refusal_surfaces_clearly_and_changes_nothing(platform, shop, channel):
    connection, simulator = shop
    external_id, order = _sandbox_order(platform, simulator, channel)
    lines = tuple(platform.lines(_stored(platform, simulator, external_id)))
    WRITERS[platform.key](
        connection_client(connection),
        ParcelShipped(
            order_external_id=external_id, tracking_no="SF7000000000005", courier="sf", lines=lines, key="k1"
        ),
    )
    before = _stored(platform, simulator, external_id)
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    [shipment] = _ship(parcel, "SF7000000000006")

    with pytest.raises(ProviderError) as refused:
        shipment_write_back(shipment_id=shipment.pk)

    assert refused.value.retryable is False and refused.value.message
    # Orderflow's name for the refusal, where the platform's code for it is known (Pinduoduo's is not)
    assert refused.value.code == ("50000" if platform.key == "pinduoduo" else "already_shipped")
    stored = _stored(platform, simulator, external_id)
    assert platform.numbers(stored) == platform.numbers(before) == {sku: {"SF7000000000005"} for sku in SKUS}
    assert _notes(order) == []


def test_a_forged_signature_is_refused_by_the_sandbox(platform, shop, channel):
    connection, simulator = shop
    external_id, _order = _sandbox_order(platform, simulator, channel)
    client = connection_client(connection)
    setattr(client, platform.secret, "not-the-secret")
    lines = tuple(platform.lines(_stored(platform, simulator, external_id)))

    with pytest.raises(ProviderError):
        WRITERS[platform.key](
            client,
            ParcelShipped(order_external_id=external_id, tracking_no="SF7000000000007", courier="sf", lines=lines),
        )

    stored = _stored(platform, simulator, external_id)
    assert not platform.shipped(stored) and platform.numbers(stored) == {}


def test_an_unknown_courier_is_a_clear_error_before_any_call(platform, shop, channel):
    if platform.key == "own_store":
        pytest.skip("the own store takes Orderflow's own courier codes: there is no table to miss")
    _connection, simulator = shop
    external_id, order = _sandbox_order(platform, simulator, channel)
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    [shipment] = _ship(parcel, "DPK7000000000008", courier="kuaidi100", carrier="debangwuliu")

    with pytest.raises(ProviderError) as refused:
        shipment_write_back(shipment_id=shipment.pk)

    assert refused.value.code == "unknown_courier" and "debangwuliu" in refused.value.message
    assert not platform.shipped(_stored(platform, simulator, external_id))
    assert _notes(order) == []


def test_every_sales_channel_connector_can_write_back():
    from connectors.base import PLATFORM

    assert {connector.key for connector in CONNECTORS if connector.kind == PLATFORM} == set(WRITERS) == set(PLATFORMS)


def test_a_platform_refusal_is_named_and_keeps_the_platform_words():
    from connectors.base import refusal_named
    from connectors.platforms.douyin.writeback import REFUSALS

    unknown = ProviderError(
        "Douyin shop error 50002: 业务处理失败 暂不支持该物流公司",
        retryable=False,
        code="50002:isv.business-failed:60018",
    )
    other = ProviderError(
        "Douyin shop error 50002: 订单不存在", retryable=False, code="50002:isv.business-failed:60033"
    )

    named = refusal_named(unknown, REFUSALS, "4980000000000000001")

    assert (
        named.code == "unknown_company"
        and "暂不支持该物流公司" in named.message
        and "4980000000000000001" in named.message
    )
    assert refusal_named(other, REFUSALS, "4980000000000000001") is other
