"""What placing one order sends to PostgreSQL, without the Python that decides it: for comparison only.

``OrderWrites`` sends the statements ``commerce.orders.services.order_place`` sends for an order of
N lines, one unit each, in the same transaction and order, on a cursor bound as the project binds
(Django's cursor, or a psycopg cursor of the same kind):

- before the transaction: the products' read;
- in it: the customer's read (and, for a new phone, its insert in a savepoint, as
  ``get_or_create`` does), the order, its lines, the audit entry, the ``order.created`` event, the
  risk check with the default rules (``commerce.risk``: rules, sighting, counts,
  blacklist, the customer's history), the channel's stock read, the conditional update of each stock row in id order (inside a savepoint
  when there are several), the reservations and their ledger rows.

The statements are the bench's own copy, written out below as the ORM renders them (one row as
``VALUES``, several as ``UNNEST`` of arrays, as Django 5.2 does on PostgreSQL).
``tests/bench/test_same_writes.py`` checks them against what the service really sends, statement
by statement, and the rows against the rows it writes: when the service changes, the test fails
until this copy follows. What this leaves out of the service is its Python: validation, model
instances, the plan over warehouses, the answer.

Two benchmarks use it: ``bench/reserve.py`` from psycopg client threads, and ``bench/order_ingest.py``
behind a bare Django view (``bench.bareinsert.views.same_writes``), which adds what the API sends
around an order: the token read, the channel read and the wake-up after commit. Import it after
Django is set up (it reads the order's representation from the models).
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from psycopg.types.json import Jsonb

from commerce.customers.models import Customer
from commerce.orders.models import Order, OrderLine
from commerce.orders.representation import order_representation
from commerce.risk.facts import CLUSTER_WINDOW, SHARING_WINDOW, address_key, cluster_key

from .harness import ADDRESS

NAME = "张伟"
PRICE = Decimal("99.00")

# --- the statements ----------------------------------------------------------------------------

# The API's token authentication (``core.accounts.authentication``): the token's user with its roles and
# the token's age (it expires).
TOKEN_SQL = (
    'SELECT "auth_user"."id", "auth_user"."password", "auth_user"."last_login", "auth_user"."is_superuser", '
    '"auth_user"."username", "auth_user"."first_name", "auth_user"."last_name", "auth_user"."email", '
    '"auth_user"."is_staff", "auth_user"."is_active", "auth_user"."date_joined", "auth_group"."name" AS "role_name", '
    '"authtoken_token"."created" AS "token_created" '
    'FROM "auth_user" INNER JOIN "authtoken_token" ON ("auth_user"."id" = "authtoken_token"."user_id") '
    'LEFT OUTER JOIN "auth_user_groups" ON ("auth_user"."id" = "auth_user_groups"."user_id") '
    'LEFT OUTER JOIN "auth_group" ON ("auth_user_groups"."group_id" = "auth_group"."id") '
    'WHERE "authtoken_token"."key" = %s'
)
# ``commerce.channels.selectors.channel_by_code``, as the ORM renders it.
CHANNEL_SQL = (
    'SELECT "sales_channels_channel"."id", "sales_channels_channel"."code", "sales_channels_channel"."name", '
    '"sales_channels_channel"."kind", "sales_channels_channel"."currency", "sales_channels_channel"."payment_timeout_minutes", '
    '"sales_channels_channel"."allow_split_lines", "sales_channels_channel"."active" FROM "sales_channels_channel" '
    'WHERE ("sales_channels_channel"."active" AND "sales_channels_channel"."code" = %s) '
    'ORDER BY "sales_channels_channel"."code" ASC LIMIT 1'
)

PRODUCTS_SQL = (
    'SELECT "catalog_product"."id", "catalog_product"."sku", "catalog_product"."title", '
    '"catalog_product"."price", "catalog_product"."weight_grams", "catalog_product"."category", '
    '"catalog_product"."active", "catalog_product"."created_at" FROM "catalog_product" '
    'WHERE ("catalog_product"."active" AND "catalog_product"."sku" IN ({skus})) '
    'ORDER BY "catalog_product"."sku" ASC'
)
CUSTOMER_SQL = (
    'SELECT "customers_customer"."id", "customers_customer"."name", "customers_customer"."phone", '
    '"customers_customer"."email", "customers_customer"."tags", "customers_customer"."credit_level", '
    '"customers_customer"."created_at" FROM "customers_customer" '
    'WHERE "customers_customer"."phone" = %s LIMIT 21'
)
CHANNEL_STOCK_SQL = (
    'SELECT "inventory_stockitem"."id" AS "id", "inventory_stockitem"."sku" AS "sku", '
    '"inventory_stockitem"."warehouse_id" AS "warehouse_id", "inventory_stockitem"."on_hand" AS "on_hand", '
    '"inventory_stockitem"."reserved" AS "reserved", "inventory_warehouse"."priority" AS "priority", '
    '"inventory_warehouse"."code" AS "code", (SELECT U0."rank" AS "rank" FROM "inventory_channelwarehouse" U0 '
    'WHERE (U0."channel_id" = %s AND U0."warehouse_id" = ("inventory_stockitem"."warehouse_id")) LIMIT 1) AS "rank", '
    'EXISTS(SELECT %s AS "a" FROM "inventory_channelwarehouse" U0 WHERE U0."channel_id" = %s LIMIT 1) '
    'AS "channel_ranks_own" FROM "inventory_stockitem" INNER JOIN "inventory_warehouse" '
    'ON ("inventory_stockitem"."warehouse_id" = "inventory_warehouse"."id") '
    'WHERE ("inventory_stockitem"."sku" IN ({skus}) AND "inventory_warehouse"."active")'
)
RESERVE_SQL = (
    "UPDATE inventory_stockitem SET reserved = reserved + %s, updated_at = %s WHERE id = %s AND on_hand - reserved >= %s "
    "RETURNING on_hand, reserved, safety_stock, low_stock_alerted"
)

# The risk check's statements (``commerce.risk.services.order_risk_check``) with the default rules:
# the enabled rules, the sighting (no IP: no advisory lock), the phone, address and cluster
# counts, the blacklist and the customer's history (no IP, no account: no IP count, no such keys).
RISK_RULES_SQL = (
    'SELECT "risk_riskrule"."id" AS "id", "risk_riskrule"."key" AS "key", "risk_riskrule"."condition" AS "condition" '
    'FROM "risk_riskrule" WHERE "risk_riskrule"."enabled" ORDER BY 1 ASC'
)
# The accounts sharing the phone (30 days), the address (30 days) and the address cluster (24 hours).
_PHONE_WINDOW = '("risk_risksighting"."phone" = %s AND "risk_risksighting"."seen_at" > %s)'
_ADDRESS_WINDOW = '("risk_risksighting"."address_key" = %s AND "risk_risksighting"."seen_at" > %s)'
_CLUSTER_WINDOW = '("risk_risksighting"."cluster_key" = %s AND "risk_risksighting"."seen_at" > %s)'
RISK_ACCOUNTS_SQL = (
    f'SELECT COUNT(DISTINCT "risk_risksighting"."account_key") FILTER (WHERE {_PHONE_WINDOW}) AS "phone", '
    f'COUNT(DISTINCT "risk_risksighting"."account_key") FILTER (WHERE {_ADDRESS_WINDOW}) AS "address", '
    f'COUNT(DISTINCT "risk_risksighting"."account_key") FILTER (WHERE {_CLUSTER_WINDOW}) AS "cluster" '
    f'FROM "risk_risksighting" WHERE ({_PHONE_WINDOW} OR {_ADDRESS_WINDOW} OR {_CLUSTER_WINDOW})'
)
RISK_BLACKLIST_SQL = (
    'SELECT "risk_blacklistentry"."kind" AS "kind" FROM "risk_blacklistentry" WHERE '
    '(("risk_blacklistentry"."kind" = %s AND "risk_blacklistentry"."value" = %s) OR '
    '("risk_blacklistentry"."kind" = %s AND "risk_blacklistentry"."value" = %s))'
)
RISK_HISTORY_SQL = (
    'SELECT COUNT("orders_order"."id") AS "n", AVG("orders_order"."total_amount") AS "average" FROM "orders_order" '
    'WHERE ("orders_order"."customer_id" = %s AND NOT ("orders_order"."id" = %s))'
)
SIGHTING = (
    "risk_risksighting",
    tuple((name, "") for name in "order_id seen_at client_ip phone address_key cluster_key account_key".split()),
)

# Each table the order writes: its columns in insert order, with their types (for ``UNNEST``).
CUSTOMER = (
    "customers_customer",
    (
        ("name", "varchar"),
        ("phone", "varchar"),
        ("email", "varchar"),
        ("tags", "jsonb"),
        ("credit_level", "smallint"),
        ("created_at", "timestamp with time zone"),
    ),
)
ORDER = (
    "orders_order",
    tuple(
        (name, "")
        for name in (
            "number channel_id external_id status status_changed_at customer_id currency goods_amount "
            "shipping_amount discount_amount total_amount ship_to_name ship_to_phone province city district "
            "address_line postcode placed_at paid_at channel_updated_at channel_lag_seconds shipped_at on_hold "
            "hold_reason cancel_reason "
            "gift_for_id client_ip device buyer_account buyer_remark created_at updated_at"
        ).split()
    ),
)
LINE = (
    "orders_orderline",
    (
        ("order_id", "bigint"),
        ("position", "smallint"),
        ("sku", "varchar"),
        ("title", "varchar"),
        ("quantity", "integer"),
        ("unit_price", "numeric"),
        ("line_total", "numeric"),
    ),
)
AUDIT = (
    "audit_auditentry",
    tuple(
        (name, "")
        for name in (
            "occurred_at subject_type subject_id action actor_kind actor_id actor_label source changes "
            "trace_id idempotency_key"
        ).split()
    ),
)
EVENT = (
    "outbox_outboxevent",
    tuple(
        (name, "") for name in "name subject_type subject_id payload actor trace_id occurred_at dispatched_at".split()
    ),
)
RESERVATION = (
    "inventory_reservation",
    (
        ("order_id", "bigint"),
        ("order_line_id", "bigint"),
        ("stock_item_id", "bigint"),
        ("quantity", "integer"),
        ("state", "varchar"),
        ("expires_at", "timestamp with time zone"),
        ("created_at", "timestamp with time zone"),
    ),
)
MOVEMENT = (
    "inventory_stockmovement",
    (
        ("stock_item_id", "bigint"),
        ("kind", "varchar"),
        ("quantity", "integer"),
        ("reason", "varchar"),
        ("order_id", "bigint"),
        ("actor_kind", "varchar"),
        ("actor_label", "varchar"),
        ("trace_id", "varchar"),
        ("created_at", "timestamp with time zone"),
    ),
)


def insert_sql(table: tuple[str, tuple], rows: int) -> str:
    """The ``INSERT … RETURNING id`` of ``rows`` rows of ``table``, as the ORM writes it on PostgreSQL:
    one row as ``VALUES``, several as ``UNNEST`` of one array per column (parameters: one list each)."""
    name, columns = table
    head = f'INSERT INTO "{name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c, _t in columns)})'
    if rows == 1:
        body = f"VALUES ({', '.join(['%s'] * len(columns))})"
    else:
        body = f"SELECT * FROM UNNEST({', '.join(f'(%s)::{t}[]' for _c, t in columns)})"
    return f'{head} {body} RETURNING "{name}"."id"'


def _columns(rows: list[tuple]) -> list[list]:
    """``UNNEST``'s parameters: one list per column."""
    return [list(column) for column in zip(*rows, strict=True)]


class ShortStock(Exception):
    """A stock row did not have the unit when its conditional update ran: roll the transaction back."""


class OrderWrites:
    """The statements of ``order_place`` for pending orders on ``channel``; see the module's docstring."""

    def __init__(self, channel, *, trace_id: str = "bench"):
        self.channel = channel
        self.trace_id = trace_id
        self.payloads: dict[int, dict] = {}

    def _payload(self, count: int) -> dict:
        """The ``order.created`` payload of an order of ``count`` lines (the same size as the service's)."""
        payload = self.payloads.get(count)
        if payload is None:
            now = datetime.now(UTC)
            order = Order(
                pk=1,
                number="OF0000000000000000",
                channel=self.channel,
                external_id="template",
                status="pending_payment",
                status_changed_at=now,
                customer_id=1,
                currency=self.channel.currency,
                goods_amount=PRICE * count,
                total_amount=PRICE * count,
                ship_to_name=NAME,
                ship_to_phone="13900000000",
                province=ADDRESS["province"],
                city=ADDRESS["city"],
                district=ADDRESS["district"],
                address_line=ADDRESS["line"],
                postcode=ADDRESS["postcode"],
                placed_at=now,
                created_at=now,
                updated_at=now,
            )
            order.customer = Customer(pk=1, name=NAME, phone="13900000000")
            lines = [
                OrderLine(
                    pk=i + 1,
                    order=order,
                    position=i,
                    sku=f"SKU-{i:04d}",
                    title=f"商品 SKU-{i:04d}",
                    quantity=1,
                    unit_price=PRICE,
                    line_total=PRICE,
                )
                for i in range(count)
            ]
            payload = self.payloads[count] = {"order": order_representation(order, lines=lines, tags=[])}
        return payload

    def products(self, cur, skus: list[str]) -> None:
        """The products' read, before the transaction."""
        wanted = sorted(set(skus))
        cur.execute(PRODUCTS_SQL.format(skus=", ".join(["%s"] * len(wanted))), wanted)
        cur.fetchall()

    def place(
        self,
        cur,
        savepoint: Callable[[], AbstractContextManager],
        *,
        external_id: str,
        number: str,
        phone: str,
        skus: list[str],
    ) -> int:
        """The order's transaction, from the customer to the last insert; call it inside one.

        ``savepoint()`` opens a savepoint. Returns the order's id; raises ``ShortStock`` for the
        transaction to roll back. (A stored key fails the order's insert, as in the service.)
        """
        now = datetime.now(UTC)
        actor = {"kind": "system", "id": "", "label": "bench", "source": "bench"}
        count = len(skus)
        cur.execute(CUSTOMER_SQL, [phone])
        row = cur.fetchone()
        if row is None:
            with savepoint():
                cur.execute(insert_sql(CUSTOMER, 1), [NAME, phone, "", Jsonb([]), 3, now])
                row = cur.fetchone()
        customer_id = row[0]
        total = PRICE * count
        cur.execute(
            insert_sql(ORDER, 1),
            [
                number,
                self.channel.pk,
                external_id,
                "pending_payment",
                now,
                customer_id,
                self.channel.currency,
                total,
                Decimal(0),
                Decimal(0),
                total,
                NAME,
                phone,
                ADDRESS["province"],
                ADDRESS["city"],
                ADDRESS["district"],
                ADDRESS["line"],
                ADDRESS["postcode"],
                now,
                None,
                None,
                None,
                None,
                False,
                "",
                "",
                None,
                None,
                "",
                "",
                "",
                now,
                now,
            ],
        )
        order_id = cur.fetchone()[0]
        lines = [(order_id, i, sku, f"商品 {sku}", 1, PRICE, PRICE) for i, sku in enumerate(skus)]
        cur.execute(insert_sql(LINE, count), list(lines[0]) if count == 1 else _columns(lines))
        line_ids = [r[0] for r in cur.fetchall()]
        changes = {
            "status": "pending_payment",
            "total_amount": f"{total:.2f}",
            "lines": [{"sku": sku, "quantity": 1} for sku in skus],
            "tags": [],
        }
        cur.execute(
            insert_sql(AUDIT, 1),
            [
                now,
                "order",
                str(order_id),
                "created",
                "system",
                "",
                "bench",
                "bench",
                Jsonb(changes),
                self.trace_id,
                None,
            ],
        )
        cur.fetchone()
        cur.execute(
            insert_sql(EVENT, 1),
            [
                "order.created",
                "order",
                str(order_id),
                Jsonb(self._payload(count)),
                Jsonb(actor),
                self.trace_id,
                now,
                None,
            ],
        )
        cur.fetchone()
        self._risk_check(cur, order_id=order_id, customer_id=customer_id, phone=phone, now=now)

        wanted = sorted(set(skus))
        cur.execute(
            CHANNEL_STOCK_SQL.format(skus=", ".join(["%s"] * len(wanted))),
            [self.channel.pk, 1, self.channel.pk, *wanted],
        )
        stock_ids = {sku: pk for pk, sku, *_rest in cur.fetchall()}
        with savepoint() if count > 1 else nullcontext():
            for stock_id in sorted(stock_ids[sku] for sku in skus):
                cur.execute(RESERVE_SQL, [1, datetime.now(UTC), stock_id, 1])
                if cur.fetchone() is None:
                    raise ShortStock
        expires_at = now + timedelta(minutes=self.channel.payment_timeout_minutes)
        created = datetime.now(UTC)
        reservations = [
            (order_id, line_id, stock_ids[sku], 1, "active", expires_at, created)
            for line_id, sku in zip(line_ids, skus, strict=True)
        ]
        movements = [
            (stock_ids[sku], "reserve", 1, f"order {number}", order_id, "system", "bench", self.trace_id, created)
            for sku in skus
        ]
        for table, rows in ((RESERVATION, reservations), (MOVEMENT, movements)):
            cur.execute(insert_sql(table, count), list(rows[0]) if count == 1 else _columns(rows))
            cur.fetchall()
        return order_id

    def _risk_check(self, cur, *, order_id: int, customer_id: int, phone: str, now: datetime) -> None:
        """The risk check's statements for an order of no IP or account that no rule holds."""
        cur.execute(RISK_RULES_SQL)
        cur.fetchall()
        place = (ADDRESS["province"], ADDRESS["city"], ADDRESS["district"], ADDRESS["line"])
        address, cluster = address_key(*place), cluster_key(*place)
        cur.execute(insert_sql(SIGHTING, 1), [order_id, now, None, phone, address, cluster, f"customer:{customer_id}"])
        cur.fetchone()
        windows = [phone, now - SHARING_WINDOW, address, now - SHARING_WINDOW, cluster, now - CLUSTER_WINDOW]
        cur.execute(RISK_ACCOUNTS_SQL, windows * 2)
        cur.fetchone()
        cur.execute(RISK_BLACKLIST_SQL, ["phone", phone, "address", address])
        cur.fetchall()
        cur.execute(RISK_HISTORY_SQL, [customer_id, order_id])
        cur.fetchone()
