"""``bench.kpis.generate``: the orders it writes with ``COPY`` (outside the ORM) still fit the order
table — a column added to orders without a database default fails here, not a benchmark run."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from bench.kpis import generate
from commerce.orders.models import Order, OrderLine

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _db_url() -> str:
    """The test database, for the generator's own psycopg connection."""
    s = connection.settings_dict
    return make_conninfo(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )


def test_the_generated_orders_are_orders_the_api_can_read(channel):
    made = generate(_db_url(), orders=40, channels=[(channel.pk, channel.code)], days=10, now=datetime.now(UTC))

    assert made == {"customers": 2, "orders": 40}
    assert Order.objects.count() == 40 and OrderLine.objects.count() == 40
    order = Order.objects.order_by("pk").first()
    assert (order.channel_id, order.buyer_account, order.buyer_remark, order.device) == (channel.pk, "", "", "")
