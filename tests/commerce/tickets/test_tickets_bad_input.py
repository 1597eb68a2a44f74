"""Bad input on every ticket write endpoint: a clear 4xx naming the field, and nothing written."""

import json

import pytest
from django.apps import apps

from commerce.tickets import services
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"tickets", "orders", "audit", "outbox"}
    }


@pytest.fixture
def ticket(channel, stocked):
    order = create_order(channel)
    return services.ticket_open(
        title="Parcel stalled",
        queue="warehouse",
        priority="high",
        assignee_role="operator",
        due_at=None,
        order_id=order.pk,
        actor=TEST_ACTOR,
    )


def _write_endpoints(ticket) -> list[tuple[str, dict]]:
    return [
        (f"/api/v1/tickets/{ticket.pk}/assign-to-me/", {}),
        (f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "called the courier"}),
        (f"/api/v1/tickets/{ticket.pk}/close/", {"resolution": "re-shipped"}),
    ]


def test_malformed_json_on_every_write_endpoint(operator_client, ticket):
    before = _row_counts()
    for url, _body in _write_endpoints(ticket):
        response = operator_client.post(url, data='{"body": "x",', content_type="application/json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "malformed_json", url
    assert _row_counts() == before


def test_ten_megabyte_body_on_every_write_endpoint(operator_client, ticket):
    before = _row_counts()
    huge = json.dumps({"body": "x" * TEN_MB})
    for url, _body in _write_endpoints(ticket):
        response = operator_client.post(url, data=huge, content_type="application/json")

        assert response.status_code == 413, url
        assert response.json()["code"] == "payload_too_large"
        assert response.json()["details"]["limit_bytes"] == 2 * 1024 * 1024
    assert _row_counts() == before


def test_a_json_list_instead_of_an_object(operator_client, ticket):
    before = _row_counts()
    for url, _body in _write_endpoints(ticket):
        response = operator_client.post(url, [1, 2, 3], format="json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "invalid"
        assert list(response.json()["details"]) == ["non_field_errors"]
    assert _row_counts() == before


def test_wrong_types_name_the_field(operator_client, ticket):
    before = _row_counts()
    for url, body in _write_endpoints(ticket):
        if not body:
            continue
        broken = {key: {"not": "a scalar"} for key in body}
        response = operator_client.post(url, broken, format="json")

        assert response.status_code == 400, url
        assert set(response.json()["details"]) == set(body), (url, response.json())
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("comments/", {}, "body"),
        ("comments/", {"body": ""}, "body"),
        ("comments/", {"body": "   "}, "body"),
        ("comments/", {"body": "x" * 4001}, "body"),
        ("comments/", {"body": None}, "body"),
        ("close/", {"resolution": "r" * 2001}, "resolution"),
        ("close/", {"resolution": None}, "resolution"),
        ("close/", {"resolution": ["done"]}, "resolution"),
    ],
)
def test_bad_fields(operator_client, ticket, suffix, body, field):
    before = _row_counts()

    response = operator_client.post(f"/api/v1/tickets/{ticket.pk}/{suffix}", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]) == [field]
    assert _row_counts() == before
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_form_encoded_body_is_refused(operator_client, ticket):
    before = _row_counts()

    response = operator_client.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "hi"})

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert _row_counts() == before
