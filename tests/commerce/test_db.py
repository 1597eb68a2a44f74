"""The plain-statement row writers and readers of ``commerce.db``: the same rows and values the ORM gives."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.catalog.models import Product
from commerce.customers.models import Customer
from commerce.db import _stored_as_is, insert_or_ignore, objects_where, row_insert, rows_create, rows_insert
from commerce.inventory.models import StockItem
from commerce.orders.models import OrderTag
from tests.factories import ProductFactory, StockItemFactory, create_order

pytestmark = pytest.mark.django_db


def test_objects_where_reads_the_same_instances_as_a_queryset(product):
    customer = Customer.objects.create(name="张伟", phone="13800138000", tags=["vip", "fresh"])

    [read] = objects_where(Customer, "phone = %s", ["13800138000"])
    [item] = objects_where(Product, "sku = %s AND active = %s", [product.sku, True])

    stored = Customer.objects.get(pk=customer.pk)
    assert (read.pk, read.name, read.tags, read.credit_level, read.created_at) == (
        stored.pk,
        stored.name,
        ["vip", "fresh"],
        3,
        stored.created_at,
    )
    assert read.created_at.tzinfo is not None
    assert isinstance(item.price, Decimal) and item.price == Product.objects.get(pk=product.pk).price
    assert item.active is True
    assert read._state.adding is False


def test_objects_where_answers_nothing_for_no_match_and_binds_its_parameters(product):
    assert objects_where(Product, "sku = %s", ["' OR 1=1 --"]) == []


def test_rows_create_gives_every_row_its_key_in_order(channel, stocked):
    order = create_order(channel, external_id="DB-1")

    tags = rows_create([OrderTag(order=order, name=name) for name in ("b", "a", "c")])

    assert [t.pk for t in tags] == sorted(t.pk for t in tags)
    assert {t.pk: t.name for t in tags} == dict(OrderTag.objects.filter(order=order).values_list("id", "name"))


def test_row_insert_fills_auto_now_add_and_gives_the_key():
    customer = row_insert(Customer(name="李娜", phone="13900000001"))

    stored = Customer.objects.get(phone="13900000001")
    assert customer.pk == stored.pk
    assert stored.created_at is not None


def test_rows_insert_writes_several_models_in_one_statement_on_postgresql(warehouse):
    products = [Product(sku=f"DB-{i}", title=f"商品 {i}", price=Decimal("9.90")) for i in range(2)]
    items = [StockItem(sku=f"DB-{i}", warehouse=warehouse, on_hand=5) for i in range(2)]

    with CaptureQueriesContext(connection) as queries:
        rows_insert(products, items)

    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert sorted(Product.objects.filter(sku__startswith="DB-").values_list("sku", flat=True)) == ["DB-0", "DB-1"]
    assert StockItem.objects.filter(sku__startswith="DB-", on_hand=5).count() == 2


SAMPLES = {str: ["", "订单 A-1"], bool: [True, False], int: [1, 2**40]}


def test_every_value_the_writers_pass_through_is_what_django_would_send():
    """``commerce.db`` skips ``get_db_prep_save`` for values it returns unchanged: for every field of
    every model (this Django, this database) the skipped call must indeed give the value back."""
    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for kind in _stored_as_is(field):
                for value in [None, *SAMPLES[kind]]:
                    prepared = field.get_db_prep_save(value, connection)
                    assert prepared == value and type(prepared) is type(value), (model, field.name, value)
                    checked += 1
    assert checked > 100
    # And the ones it must not skip.
    assert _stored_as_is(Product._meta.get_field("price")) == ()  # a Decimal is adapted
    assert _stored_as_is(StockItem._meta.get_field("on_hand")) == ()  # an int is typed on PostgreSQL
    assert _stored_as_is(Customer._meta.get_field("tags")) == ()  # JSON


def test_rows_insert_gives_keys_to_the_last_list_only_when_asked(warehouse):
    products = [Product(sku=f"KEY-{i}", title=f"商品 {i}", price=Decimal("9.90")) for i in range(2)]
    items = [StockItem(sku=f"KEY-{i}", warehouse=warehouse, on_hand=i + 1) for i in range(3)]

    rows_insert(products, items, keys_for_last=True)

    assert [p.pk for p in products] == [None, None]
    assert [StockItem.objects.get(pk=item.pk).on_hand for item in items] == [1, 2, 3]
    assert all(not item._state.adding for item in items)


def test_insert_or_ignore_skips_a_stored_unique_key_only(warehouse):
    assert insert_or_ignore(Customer(name="王芳", phone="13700000000")) is True
    assert insert_or_ignore(Customer(name="someone else", phone="13700000000")) is False
    assert Customer.objects.filter(phone="13700000000").values_list("name", flat=True).get() == "王芳"

    ProductFactory(sku="DB-CHECK")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Not a unique key: a CHECK constraint still fails (reserved above on hand).
        insert_or_ignore(StockItem(sku="DB-CHECK", warehouse=warehouse, on_hand=1, reserved=2))
    assert not StockItem.objects.filter(sku="DB-CHECK").exists()


def test_the_writers_refuse_what_the_database_refuses(warehouse):
    StockItemFactory(sku="DB-TWICE", warehouse=warehouse, on_hand=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(StockItem(sku="DB-TWICE", warehouse=warehouse, on_hand=1))
    assert StockItem.objects.filter(sku="DB-TWICE").count() == 1
