"""Races on PostgreSQL: raising one alert key at once, and refreshing the rollups at once."""

import pytest

from commerce.outbox.models import OutboxEvent
from insights.alerts.models import Alert
from insights.alerts.services import raise_alert
from insights.kpis.models import COUNTERS, KpiBacklog, KpiHourly
from insights.kpis.rollups import kpi_rollups_rebuild, kpi_rollups_refresh
from tests.concurrency import at_once
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory, create_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEXT = {"zh": "订单中断", "en": "Orders stopped"}


def test_eight_raises_of_one_key_at_once_make_one_alert_and_one_event():
    alerts = at_once(
        lambda n: raise_alert(
            rule="orders_stopped", key="orders_stopped:tmall", severity="critical", title=TEXT, message=TEXT
        ),
        8,
    )

    assert len({alert.pk for alert in alerts}) == 1
    assert Alert.objects.count() == 1
    assert OutboxEvent.objects.filter(name="insights.alert").count() == 1


def _rollups() -> tuple:
    hourly = {
        (r.day, r.hour, r.channel_id): tuple(getattr(r, n) for n in COUNTERS)
        for r in KpiHourly.objects.all()
        if any(getattr(r, n) for n in COUNTERS)
    }
    return hourly, {(r.channel_id, r.status): r.count for r in KpiBacklog.objects.all() if r.count}


def test_refreshes_at_once_take_turns_and_count_each_order_once():
    channel = ChannelFactory(code="tmall")
    ProductFactory(sku="TEA-001", price="199.00")
    StockItemFactory(sku="TEA-001", warehouse=WarehouseFactory(code="sh-main"), on_hand=100)
    create_order(channel, external_id="A")
    kpi_rollups_refresh()
    for n in range(5):
        create_order(channel, external_id=f"B{n}")

    at_once(lambda n: kpi_rollups_refresh(), 4)
    incremental = _rollups()
    kpi_rollups_rebuild()

    assert sum(row[0] for row in incremental[0].values()) == 6
    assert incremental == _rollups()
