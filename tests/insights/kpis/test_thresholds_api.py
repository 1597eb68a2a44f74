"""``/api/v1/kpis/thresholds/``: the defaults of the issue's table, changed by admins only."""

import pytest

from insights.kpis.models import KpiThreshold
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/thresholds/"
DEFAULTS = [
    {"key": "sync_delay_rate", "threshold": 0.01, "comparison": "lt"},
    {"key": "notification_reach_rate", "threshold": 0.98, "comparison": "gte"},
    {"key": "reconciliation_difference_rate", "threshold": 0.003, "comparison": "lt"},
    {"key": "exception_order_share", "threshold": 0.02, "comparison": "lt"},
    {"key": "payment_conversion", "threshold": None, "comparison": None},
    {"key": "on_time_fulfilment", "threshold": None, "comparison": None},
    {"key": "refund_rate", "threshold": None, "comparison": None},
    {"key": "avg_processing_minutes", "threshold": None, "comparison": None},
]


def test_every_role_reads_the_defaults():
    response = client_for("operator").get(URL)

    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_an_admin_sets_and_clears_thresholds():
    response = client_for("admin").patch(
        URL, {"on_time_fulfilment": 0.95, "avg_processing_minutes": "1440", "sync_delay_rate": None}, format="json"
    )

    assert response.status_code == 200
    by_key = {row["key"]: row for row in response.json()}
    assert by_key["on_time_fulfilment"] == {"key": "on_time_fulfilment", "threshold": 0.95, "comparison": "gte"}
    assert by_key["avg_processing_minutes"] == {
        "key": "avg_processing_minutes",
        "threshold": 1440.0,
        "comparison": "lte",
    }
    assert by_key["sync_delay_rate"] == {"key": "sync_delay_rate", "threshold": None, "comparison": None}
    assert client_for("manager").get(URL).json() == response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"no_such_kpi": 0.1}, "no_such_kpi"),
        ({"sync_delay_rate": 1.5}, "sync_delay_rate"),  # a ratio is at most 1
        ({"sync_delay_rate": -0.1}, "sync_delay_rate"),
        ({"sync_delay_rate": "lots"}, "sync_delay_rate"),
        ({"avg_processing_minutes": 100_001}, "avg_processing_minutes"),
    ],
)
def test_bad_thresholds_are_refused_and_nothing_changes(body, field):
    response = client_for("admin").patch(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [field]
    assert KpiThreshold.objects.count() == 0


@pytest.mark.parametrize("role", ["operator", "supervisor", "finance", "manager"])
def test_only_admins_change_thresholds(role):
    response = client_for(role).patch(URL, {"sync_delay_rate": 0.5}, format="json")

    assert response.status_code == 403
    assert KpiThreshold.objects.count() == 0
