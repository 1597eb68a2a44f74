"""Bad input on the inbox's write endpoints: a clear 4xx, and nothing written."""

import json

import pytest
from django.apps import apps

from commerce.inbox import services
from tests.factories import TEST_ACTOR

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"inbox", "audit", "outbox"}
    }


@pytest.fixture
def notification(db):
    return services.inbox_notify(to_role="operator", title="Parcel stalled", body="", order_id=None, actor=TEST_ACTOR)


def _write_endpoints(notification) -> list[str]:
    return [f"/api/v1/inbox/{notification.pk}/read/", "/api/v1/inbox/read-all/"]


def test_malformed_json_on_every_write_endpoint(operator_client, notification):
    before = _row_counts()
    for url in _write_endpoints(notification):
        response = operator_client.post(url, data='{"read": tr', content_type="application/json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "malformed_json", url
    assert _row_counts() == before


def test_ten_megabyte_body_on_every_write_endpoint(operator_client, notification):
    before = _row_counts()
    huge = json.dumps({"text": "x" * TEN_MB})
    for url in _write_endpoints(notification):
        response = operator_client.post(url, data=huge, content_type="application/json")

        assert response.status_code == 413, url
        assert response.json()["code"] == "payload_too_large"
    assert _row_counts() == before


@pytest.mark.parametrize("body", [[1, 2, 3], "read", 42])
def test_a_body_that_is_not_an_object(operator_client, notification, body):
    before = _row_counts()
    for url in _write_endpoints(notification):
        response = operator_client.post(url, body, format="json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "invalid"
        assert list(response.json()["details"]) == ["non_field_errors"]
    assert _row_counts() == before


def test_a_notification_id_that_overflows_is_404(operator_client, notification):
    response = operator_client.post(f"/api/v1/inbox/{10**30}/read/", format="json")

    assert response.status_code == 404
    assert _row_counts()["inbox.NotificationRead"] == 0
