"""``bench.same_writes`` sends what ``order_place`` sends, so the benchmarks' comparison stays honest.

The bench keeps its own copy of the statements; these tests capture what the service really sends
(``CaptureQueriesContext``) and what the copy sends, and compare them statement by statement with
the values taken out, and the rows both write column by column. When the service starts sending
another statement, or writing another table or column, they fail until the copy follows.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from bench.same_writes import CHANNEL_SQL, TOKEN_SQL, OrderWrites, ShortStock
from commerce.audit.models import AuditEntry
from commerce.channels.selectors import channel_by_code
from commerce.customers.models import Customer
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders import services
from commerce.orders.models import Order, OrderLine
from commerce.outbox.models import OutboxEvent
from commerce.risk.models import RiskSighting
from core.accounts.authentication import TokenAuthentication
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, order_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

WRITTEN = (Customer, Order, OrderLine, Reservation, StockMovement, AuditEntry, OutboxEvent, RiskSighting)
SKUS = ["SKU-0001", "SKU-0002"]


@pytest.fixture
def two_skus(warehouse):
    for sku in SKUS:
        ProductFactory(sku=sku)
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=5)


def _shape(sql: str) -> str:
    """A statement as sent, without its values: literals, savepoint names and integer widths out."""
    sql = re.sub(r'SAVEPOINT "[^"]+"', "SAVEPOINT ?", sql)
    sql = re.sub(r"E?'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"::int[248]", "::int", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\b(NULL|true|false)\b", "?", sql)
    return " ".join(sql.split())


def _shapes(queries: CaptureQueriesContext) -> list[str]:
    return [_shape(query["sql"]) for query in queries.captured_queries]


def _last_keys() -> dict:
    return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in WRITTEN}


def _written_since(last_keys: dict) -> dict:
    """Per table the service writes: the rows added since ``last_keys``, each as the set of its
    columns that are set."""
    return {
        model._meta.db_table: sorted(
            sorted(name for name, value in row.items() if value not in (None, "", [], {}))
            for row in model.objects.filter(pk__gt=last_keys[model]).values()
        )
        for model in WRITTEN
    }


def _place_by_service(channel, *, external_id: str, phone: str, skus: list[str]) -> CaptureQueriesContext:
    data = order_input(channel, external_id=external_id, lines=[(sku, 1) for sku in skus])
    data = services.replace(
        data,
        customer=services.replace(data.customer, phone=phone),
        shipping_address=services.replace(data.shipping_address, postcode="310012"),
    )
    with CaptureQueriesContext(connection) as queries:
        services.order_place(data=data, actor=TEST_ACTOR)
    return queries


def _place_by_writes(writes, *, external_id: str, phone: str, skus: list[str]) -> tuple[int, CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cur:
        writes.products(cur, skus)
        with transaction.atomic():
            order_id = writes.place(
                cur, transaction.atomic, external_id=external_id, number=f"OF-{external_id}", phone=phone, skus=skus
            )
    return order_id, queries


def _reserved() -> dict[str, int]:
    return dict(StockItem.objects.values_list("sku", "reserved"))


def test_same_writes_send_the_statements_and_rows_of_order_place_for_a_new_customer(channel, two_skus):
    by_service = _place_by_service(channel, external_id="S-1", phone="13900000001", skus=SKUS)
    rows_by_service = _written_since(dict.fromkeys(WRITTEN, 0))
    before = _last_keys()

    order_id, by_writes = _place_by_writes(OrderWrites(channel), external_id="W-1", phone="13900000002", skus=SKUS)

    assert _shapes(by_writes) == _shapes(by_service)
    assert len(by_service.captured_queries) == 23  # with the savepoint the test's transaction puts around it
    assert order_id == Order.objects.latest("pk").pk
    assert _written_since(before) == rows_by_service
    assert _reserved() == dict.fromkeys(SKUS, 2)
    reservations = Reservation.objects.filter(order_id=order_id)
    assert sorted(reservations.values_list("order_line__sku", "stock_item__sku")) == [(s, s) for s in SKUS]


def test_same_writes_send_the_statements_of_order_place_for_one_line_and_a_known_customer(channel, two_skus):
    writes = OrderWrites(channel)
    _place_by_service(channel, external_id="S-0", phone="13900000001", skus=SKUS[:1])
    by_service = _place_by_service(channel, external_id="S-1", phone="13900000001", skus=SKUS[:1])
    rows_before = _last_keys()
    _place_by_writes(writes, external_id="W-0", phone="13900000001", skus=SKUS[:1])
    rows_by_service = _written_since(rows_before)
    before = _last_keys()

    _order_id, by_writes = _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS[:1])

    assert _shapes(by_writes) == _shapes(by_service)
    assert len(by_service.captured_queries) == 17  # the same
    assert Customer.objects.count() == 1
    assert {k: v for k, v in _written_since(before).items() if k != "customers_customer"} == {
        k: v for k, v in rows_by_service.items() if k != "customers_customer"
    }
    assert _reserved() == {SKUS[0]: 4, SKUS[1]: 0}


def test_the_bare_view_reads_the_token_and_the_channel_as_the_api_does(channel):
    user = User.objects.create(username="bench")
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as by_selector:
        TokenAuthentication().authenticate_credentials(token.key)
        channel_by_code(channel.code)
    with CaptureQueriesContext(connection) as by_bench, connection.cursor() as cur:
        cur.execute(TOKEN_SQL, [token.key])
        cur.execute(CHANNEL_SQL, [channel.code])

    assert _shapes(by_bench) == _shapes(by_selector)


def test_same_writes_fail_on_a_stored_key_and_roll_back_short_stock(channel, two_skus):
    writes = OrderWrites(channel)
    assert _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS)[0] > 0
    with pytest.raises(IntegrityError):
        _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS)
    StockItem.objects.filter(sku=SKUS[1]).update(on_hand=1)

    with pytest.raises(ShortStock):
        _place_by_writes(writes, external_id="W-2", phone="13900000001", skus=SKUS)

    assert Order.objects.count() == 1
    assert _reserved() == dict.fromkeys(SKUS, 1)
