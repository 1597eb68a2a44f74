"""``bench.same_writes`` writes what ``order_place`` writes, so the benchmarks' comparison stays honest.

When the service starts writing another table or column, these fail until the benchmark's copy
of its statements follows.
"""

import psycopg
import pytest
from django.db import connection, transaction

from commerce.audit.models import AuditEntry
from commerce.customers.models import Customer
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders import services
from commerce.orders.models import Order, OrderLine
from commerce.outbox.models import OutboxEvent
from core.db.postgres import PreparedCursor
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, order_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

WRITTEN = (Customer, Order, OrderLine, Reservation, StockMovement, AuditEntry, OutboxEvent)
SKUS = ["SKU-0001", "SKU-0002"]


@pytest.fixture
def two_skus(warehouse):
    for sku in SKUS:
        ProductFactory(sku=sku)
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=5)


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


def _writes(channel):
    from bench.same_writes import OrderWrites

    return OrderWrites(channel)


def _place_by_writes(writes, *, external_id: str, phone: str, skus: list[str]) -> int:
    connection.ensure_connection()
    raw = connection.connection
    writes.products(psycopg.ClientCursor(raw), skus)
    with transaction.atomic():
        return writes.place(
            PreparedCursor(raw),
            psycopg.ClientCursor(raw),
            transaction.atomic,
            external_id=external_id,
            number=f"OF-{external_id}",
            phone=phone,
            skus=skus,
        )


def _reserved() -> dict[str, int]:
    return dict(StockItem.objects.values_list("sku", "reserved"))


def test_same_writes_write_the_rows_and_columns_of_order_place(channel, two_skus):
    data = order_input(channel, external_id="S-1", lines=[(sku, 1) for sku in SKUS])
    data = services.replace(data, shipping_address=services.replace(data.shipping_address, postcode="310012"))
    services.order_place(data=data, actor=TEST_ACTOR)
    by_service = _written_since(dict.fromkeys(WRITTEN, 0))
    assert _reserved() == dict.fromkeys(SKUS, 1)
    before = _last_keys()

    order_id = _place_by_writes(_writes(channel), external_id="W-1", phone="13900000009", skus=SKUS)

    assert order_id == Order.objects.latest("pk").pk
    assert _written_since(before) == by_service
    assert _reserved() == dict.fromkeys(SKUS, 2)
    reservations = Reservation.objects.filter(order_id=order_id)
    assert sorted(reservations.values_list("order_line__sku", "stock_item__sku")) == [(s, s) for s in SKUS]


def test_same_writes_of_one_line_and_a_known_customer(channel, two_skus):
    writes = _writes(channel)
    _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS[:1])
    _place_by_writes(writes, external_id="W-2", phone="13900000001", skus=SKUS[:1])

    assert Customer.objects.count() == 1
    assert Order.objects.count() == OutboxEvent.objects.count() == AuditEntry.objects.count() == 2
    assert _reserved() == {SKUS[0]: 2, SKUS[1]: 0}


def test_same_writes_skip_a_stored_key_and_roll_back_short_stock(channel, two_skus):
    from bench.same_writes import ShortStock

    writes = _writes(channel)
    assert _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS) > 0
    assert _place_by_writes(writes, external_id="W-1", phone="13900000001", skus=SKUS) == 0
    StockItem.objects.filter(sku=SKUS[1]).update(on_hand=1)

    with pytest.raises(ShortStock):
        _place_by_writes(writes, external_id="W-2", phone="13900000001", skus=SKUS)

    assert Order.objects.count() == 1
    assert _reserved() == dict.fromkeys(SKUS, 1)
