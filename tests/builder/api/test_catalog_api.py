import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_role_reads_the_catalog():
    response = client_for("manager").get("/api/v1/catalog/")

    body = response.json()
    assert response.status_code == 200
    assert sorted(body) == [
        "actions",
        "condition",
        "connectors",
        "events",
        "for_each_context_schema",
        "format",
        "template",
        "triggers",
    ]
    assert body["format"] == "orderflow.flow/v1"
    assert body["actions"][1]["params_schema"]["required"] == ["sku", "quantity"]
    assert body["actions"][1]["name"] == {"en": "Add a gift order", "zh": "添加赠品订单"}
    assert len(body["events"]) == 25
