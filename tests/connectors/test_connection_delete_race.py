"""Deleting a connection while a delivery for it is being kept (PostgreSQL, real transactions).

The schema fuzz found it: ``DELETE /api/v1/connections/{id}/`` answered 500 when a request of the
same moment committed a row pointing at the connection — Django's cascade had collected the
children before that commit, and the connection's own DELETE then broke the foreign key. The
delete now locks the connection's row first: a writer whose foreign key was checked holds the
row (``FOR KEY SHARE``, what PostgreSQL's check takes), so the delete waits for its commit and
takes the new row along.
"""

import threading
import time

import pytest
from django.db import connection as db
from django.db import transaction

from connectors.models import Connection, WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_create, connection_delete

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_delete_waits_for_a_delivery_being_kept_and_takes_it_along():
    shop = connection_create(
        data=ConnectionInput(connector="shopify", name="海外站", credentials={}, settings={}, sandbox=True)
    )
    inserted = threading.Event()
    errors = []

    def keep_a_delivery():
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(
                    connection_id=shop.pk, body=b"{}", verified=True, dedup_key="race", topic="orders/create"
                )
                # PostgreSQL's foreign-key check, which Django defers to the commit, taken now.
                with db.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM connectors_connection WHERE id = %s FOR KEY SHARE", [shop.pk])
                inserted.set()
                time.sleep(0.5)  # the delete starts meanwhile
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    writer = threading.Thread(target=keep_a_delivery)
    writer.start()
    assert inserted.wait(10), errors

    connection_delete(connection_id=shop.pk)

    writer.join(10)
    assert errors == []
    assert not Connection.objects.filter(pk=shop.pk).exists()
    assert not WebhookDelivery.objects.filter(connection_id=shop.pk).exists()
