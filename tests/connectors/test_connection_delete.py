"""Deleting a connection takes every delivery kept under it along, replays included.

The schema fuzz found it: a connection whose failed delivery had been replayed answered 500 on
``DELETE``: the cascade nulled the replay's ``replay_of`` before deleting it, and a replay
without its original is, for the unique dedup key, the same delivery again.
"""

import pytest
from rest_framework.test import APIClient

from connectors.models import Connection, WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_connection_with_a_replayed_delivery_is_deleted_with_both(channel, stocked):
    shop = connection_create(
        data=ConnectionInput(connector="shopify", name="海外站", credentials={}, settings={}, sandbox=True)
    )
    admin = APIClient()
    admin.force_authenticate(make_user("root", "admin"))
    sent = admin.post(f"/api/v1/connections/{shop.pk}/sandbox/orders/", {"count": 1}, format="json")
    assert sent.status_code == 201
    original = WebhookDelivery.objects.get(connection=shop)
    replayed = admin.post(f"/api/v1/deliveries/{original.pk}/replay/", {}, format="json")
    assert replayed.status_code == 201
    assert WebhookDelivery.objects.filter(connection=shop, replay_of=original).count() == 1

    deleted = admin.delete(f"/api/v1/connections/{shop.pk}/")

    assert deleted.status_code == 204
    assert not Connection.objects.filter(pk=shop.pk).exists()
    assert not WebhookDelivery.objects.filter(connection_id=shop.pk).exists()
