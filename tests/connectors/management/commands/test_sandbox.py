"""``manage.py sandbox shopify``: demo orders delivered to a live server as signed webhooks."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection as db

from commerce.orders.models import Order
from connectors.models import Connection, SandboxRecord, WebhookDelivery
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.services.connections import ConnectionInput, connection_create


@pytest.fixture
def live(live_server):
    """The live server, and after the test an empty audit trail so the test database can be emptied.

    A live-server test commits for real, and the database is emptied after it: PostgreSQL with
    TRUNCATE, which the audit trail's append-only trigger allows; SQLite with DELETE, which the
    trigger refuses. On SQLite the trigger is set aside for that one DELETE and put back as it was.
    """
    yield live_server
    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_auditentry_no_delete'"
            )
            (trigger,) = cursor.fetchone()
            cursor.execute("DROP TRIGGER audit_auditentry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute(trigger)


def test_orders_are_delivered_once_each_whatever_the_duplicates_disorder_and_forgeries(live, shopify_stock):
    out = StringIO()

    call_command(
        "sandbox",
        "shopify",
        "--orders=10",
        "--rate=500",
        f"--url={live.url}",
        "--duplicates=0.2",
        "--out-of-order=0.1",
        "--bad-signatures=0.1",
        "--compress=1000000",
        "--seed=3",
        stdout=out,
        stderr=StringIO(),
    )

    connection = Connection.objects.get()
    assert (connection.connector, connection.name, connection.sandbox) == ("shopify", "Shopify sandbox", True)
    assert out.getvalue().splitlines() == [
        f"Shopify sandbox, connection {connection.pk} (Shopify sandbox) → {live.url}/hooks/shopify/{connection.pk}/",
        "orders created: 10",
        "sent: 14 (10 orders, 2 duplicates, 1 out of order, 1 bad signatures)",
        "acknowledged: 13",
        "rejected: 1",
        "retried: 8",
        "answers: 200 ×13, 401 ×9",
        "stored by the server: duplicate 2, processed 11, rejected 9",
    ]
    shop_orders = ShopifySimulator(connection).orders_all()
    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(str(o["id"]) for o in shop_orders)
    late = [o for o in shop_orders if o["note"]]
    assert len(late) == 1
    stored = Order.objects.get(external_id=str(late[0]["id"]))
    assert stored.channel_updated_at == datetime.fromisoformat(late[0]["updated_at"])  # the later view won
    assert WebhookDelivery.objects.filter(outcome="rejected").values_list("error", flat=True).distinct().get() == (
        "bad_signature: X-Shopify-Hmac-Sha256 does not match the body."
    )


def test_an_existing_sandbox_connection_is_used_and_a_real_one_refused(live, shopify_connection):
    sandbox = connection_create(
        data=ConnectionInput(connector="shopify", name="演示店铺", credentials={}, settings={}, sandbox=True)
    )
    out = StringIO()

    call_command("sandbox", "shopify", "--orders=2", "--rate=500", f"--url={live.url}", stdout=out)
    with pytest.raises(CommandError, match=f"connection {shopify_connection.pk} is not a sandbox connection"):
        call_command("sandbox", "shopify", f"--connection={shopify_connection.pk}", f"--url={live.url}")

    assert out.getvalue().splitlines()[0].startswith(f"Shopify sandbox, connection {sandbox.pk} (演示店铺) → ")
    assert SandboxRecord.objects.filter(connection=sandbox, kind="order").count() == 2
    assert Order.objects.count() == 2
    assert Connection.objects.count() == 2


def test_no_server_listening_is_an_error_after_the_retries(shopify_stock):
    with pytest.raises(CommandError, match="no delivery was acknowledged: is the server running at http://127.0.0.1:9"):
        call_command(
            "sandbox",
            "shopify",
            "--orders=1",
            "--rate=500",
            "--url=http://127.0.0.1:9",
            "--compress=1000000",
            stdout=StringIO(),
        )


def test_an_unknown_connector_is_named(db):
    with pytest.raises(
        CommandError,
        match="no connector 'shopee'; the connectors are: taobao, jd, pinduoduo, douyin, shopify, own_store",
    ):
        call_command("sandbox", "shopee")
