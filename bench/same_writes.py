"""What placing one order sends to PostgreSQL, without the Python that decides it: for comparison only.

``OrderWrites`` sends the statements ``commerce.orders.services.order_place`` sends for an order of
N lines, one unit each, in the same transaction and order, bound as the project binds them
(``core/db/postgres.py``): the ``IN``-list reads as text, every other statement prepared.

- before the transaction: the products' read;
- in it: the customer read-or-inserted, the order (``ON CONFLICT DO NOTHING``), its lines, the
  channel's stock read, the conditional update of each stock row in id order (inside a savepoint
  when there are several), and one statement with the reservations, their ledger rows, the audit
  entry and the ``order.created`` event.

The statements' text and each row's values are worked out once per number of lines by the
project's own row writers (``commerce.db``) from an order built as the service builds it; each
order only sets what differs (keys, SKUs, phone, number). What this leaves out of the service is
its Python: validation, model instances, the plan over warehouses, the answer.

Two benchmarks use it: ``bench/reserve.py`` from psycopg client threads, and ``bench/order_ingest.py``
behind a bare Django view (``bench.bareinsert.views.same_writes``), which adds what the API sends
around an order: the token read, the channel read and the wake-up after commit. Import it after
Django is set up (it imports the models).
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.audit.services import audit_entry_build
from commerce.catalog.models import Product
from commerce.customers.models import Customer
from commerce.db import insert_ctes, insert_select_sql, insert_sql, model_reader
from commerce.inventory import services as inventory
from commerce.inventory.models import ChannelWarehouse, Reservation, StockItem, StockMovement, Warehouse
from commerce.orders import services as orders
from commerce.orders.models import Order, OrderLine
from commerce.orders.representation import order_representation
from commerce.outbox.models import OutboxEvent
from core.actors import Actor

from .harness import ADDRESS

NAME = "张伟"


class ShortStock(Exception):
    """A stock row did not have the unit when its conditional update ran: roll the transaction back."""


@dataclass(frozen=True)
class _Shape:
    """The statements and template values of an order of one number of lines."""

    line_sql: str
    writes_sql: str
    values: dict[str, list]  # row name → the template row's values, in insert order


class OrderWrites:
    """The statements of ``order_place`` for orders on ``channel``; see the module's docstring."""

    def __init__(self, channel):
        self.channel = channel
        self.actor = Actor.system("bench", source="bench")
        quote = connection.ops.quote_name
        product_columns, _ = model_reader(Product)
        self.products_sql = (
            f"SELECT {product_columns} FROM {quote(Product._meta.db_table)} WHERE sku IN ({{skus}}) AND active = %s"
        )
        customer = Customer(name=NAME, phone="13900000000")
        customer_columns, _ = model_reader(Customer)
        insert, self.customer_values = insert_select_sql(
            customer, "(SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM found)) AS new"
        )
        self.customer_sql = (
            f"WITH found AS (SELECT {customer_columns} FROM {quote(Customer._meta.db_table)} WHERE phone = %s), "
            f"inserted AS ({insert} ON CONFLICT DO NOTHING RETURNING {customer_columns}) "
            f"SELECT {customer_columns} FROM found UNION ALL SELECT {customer_columns} FROM inserted"
        )
        self.order = self._template_order(customer)
        order_sql, self.order_values = insert_sql([self.order])
        self.order_sql = f"{order_sql} ON CONFLICT DO NOTHING RETURNING {_key(Order)}"
        self.stock_sql = inventory._CHANNEL_STOCK_SQL.format(
            ranks=ChannelWarehouse._meta.db_table,
            stock=StockItem._meta.db_table,
            warehouses=Warehouse._meta.db_table,
            skus="{skus}",
        )
        self.reserve_sql = inventory._RESERVE_SQL.format(table=StockItem._meta.db_table)
        self.stamp = connection.ops.adapt_datetimefield_value(self.order.placed_at)  # the stock rows' updated_at
        self.shapes: dict[int, _Shape] = {}

    def _template_order(self, customer):
        customer.pk = 1
        now = timezone.now()
        return Order(
            pk=1,
            number="OF0000000000000000",
            channel=self.channel,
            external_id="template",
            status="pending_payment",
            status_changed_at=now,
            customer=customer,
            currency=self.channel.currency,
            goods_amount=99,
            shipping_amount=0,
            discount_amount=0,
            total_amount=99,
            ship_to_name=NAME,
            ship_to_phone="13900000000",
            province=ADDRESS["province"],
            city=ADDRESS["city"],
            district=ADDRESS["district"],
            address_line=ADDRESS["line"],
            postcode=ADDRESS["postcode"],
            placed_at=now,
        )

    def _shape(self, lines: int) -> _Shape:
        shape = self.shapes.get(lines)
        if shape is None:
            shape = self.shapes[lines] = self._build_shape(lines)
        return shape

    def _build_shape(self, count: int) -> _Shape:
        order = self.order
        lines = [
            OrderLine(
                pk=i + 1,
                order=order,
                position=i,
                sku=f"SKU-{i:04d}",
                title=f"商品 SKU-{i:04d}",
                quantity=1,
                unit_price=99,
                line_total=99,
            )
            for i in range(count)
        ]
        expires_at = inventory.reservation_expiry_for(self.channel, now=order.placed_at)
        reservations = [
            Reservation(order_id=1, order_line_id=1, stock_item_id=1, quantity=1, expires_at=expires_at)
            for _ in range(count)
        ]
        movements = [
            inventory.movement_build(
                1, StockMovement.RESERVE, 1, actor=self.actor, order_id=1, reason=f"order {order.number}"
            )
            for _ in range(count)
        ]
        audit = audit_entry_build(
            subject_type="order",
            subject_id=1,
            action=AuditEntry.CREATED,
            actor=self.actor,
            changes={
                "status": "pending_payment",
                "total_amount": f"{99 * count:.2f}",
                "lines": [{"sku": ln.sku, "quantity": 1} for ln in lines],
                "tags": [],
            },
        )
        event = orders._event(order, "order.created", self.actor, order_representation(order, lines=lines, tags=[]))
        line_sql, line_values = insert_sql(lines)
        ctes, _ = insert_ctes(reservations, movements, [audit])
        event_sql, _ = insert_sql([event])
        return _Shape(
            line_sql=f"{line_sql} RETURNING {_key(OrderLine)}",
            writes_sql=f"WITH {ctes} {event_sql} RETURNING {_key(OutboxEvent)}",
            values={
                "line": line_values,
                "reservation": insert_sql(reservations)[1],
                "movement": insert_sql(movements)[1],
                "audit": insert_sql([audit])[1],
                "event": insert_sql([event])[1],
            },
        )

    def products(self, text, skus: list[str]) -> None:
        """The products' read, before the transaction (``text``: a cursor that binds on this side)."""
        wanted = sorted(set(skus))
        text.execute(self.products_sql.format(skus=", ".join(["%s"] * len(wanted))), [*wanted, True])
        text.fetchall()

    def place(
        self,
        cur,
        text,
        savepoint: Callable[[], AbstractContextManager],
        *,
        external_id: str,
        number: str,
        phone: str,
        skus: list[str],
    ) -> int:
        """The order's transaction, from the customer to the last insert; call it inside one.

        ``cur`` prepares its statements, ``text`` binds on this side; ``savepoint()`` opens a
        savepoint. Returns the order's id, or 0 when the key was stored already (nothing more
        written); raises ``ShortStock`` for the transaction to roll back.
        """
        shape = self._shape(len(skus))
        cur.execute(self.customer_sql, [phone, *_set(self.customer_values, Customer, phone=phone)])
        customer_id = cur.fetchone()[0]
        order_row = _set(
            self.order_values,
            Order,
            number=number,
            external_id=external_id,
            customer_id=customer_id,
            ship_to_phone=phone,
        )
        cur.execute(self.order_sql, order_row)
        row = cur.fetchone()
        if row is None:
            return 0
        order_id = row[0]
        line_values = list(shape.values["line"])
        for i, sku in enumerate(skus):
            _set(line_values, OrderLine, row=i, copy=False, order_id=order_id, sku=sku)
        cur.execute(shape.line_sql, line_values)
        line_ids = [r[0] for r in cur.fetchall()]

        sorted_skus = sorted(set(skus))
        text.execute(
            self.stock_sql.format(skus=", ".join(["%s"] * len(sorted_skus))),
            [self.channel.pk, self.channel.pk, *sorted_skus],
        )
        stock_ids = {sku: pk for pk, sku, *_rest in text.fetchall()}
        wanted = sorted(stock_ids[sku] for sku in skus)
        with savepoint() if len(wanted) > 1 else nullcontext():
            for stock_id in wanted:
                cur.execute(self.reserve_sql, [1, self.stamp, stock_id, 1])
                if cur.fetchone() is None:
                    raise ShortStock
        cur.execute(shape.writes_sql, self._writes_values(shape, order_id, line_ids, [stock_ids[s] for s in skus]))
        cur.fetchall()
        return order_id

    def _writes_values(self, shape: _Shape, order_id: int, line_ids: list[int], stock_ids: list[int]) -> list:
        reservations = list(shape.values["reservation"])
        movements = list(shape.values["movement"])
        for i, (line_id, stock_id) in enumerate(zip(line_ids, stock_ids, strict=True)):
            _set(
                reservations,
                Reservation,
                row=i,
                copy=False,
                order_id=order_id,
                order_line_id=line_id,
                stock_item_id=stock_id,
            )
            _set(movements, StockMovement, row=i, copy=False, order_id=order_id, stock_item_id=stock_id)
        audit = _set(shape.values["audit"], AuditEntry, subject_id=str(order_id))
        event = _set(shape.values["event"], OutboxEvent, subject_id=str(order_id))
        return [*reservations, *movements, *audit, *event]


def _key(model) -> str:
    """The model's primary key column, quoted, as the row writers return it."""
    return connection.ops.quote_name(model._meta.pk.column)


@cache
def _columns(model) -> dict[str, int]:
    """Where each field's value sits in a row of ``commerce.db.insert_sql``: every column but the key."""
    return {f.attname: i for i, f in enumerate(f for f in model._meta.concrete_fields if not f.primary_key)}


def _set(values: list, model, *, row: int = 0, copy: bool = True, **changes) -> list:
    """``values`` (rows of ``model`` one after the other, as ``insert_sql`` gives them) with
    ``changes`` in row ``row``: a copy, or ``values`` itself changed when not ``copy``."""
    at = _columns(model)
    values = list(values) if copy else values
    base = row * len(at)
    for attname, value in changes.items():
        values[base + at[attname]] = value
    return values
