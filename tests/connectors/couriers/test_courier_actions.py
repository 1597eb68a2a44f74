"""shipment.subscribe / shipment.refresh through the real dispatcher, and polling of couriers without push."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.orders.services import order_transition
from commerce.shipments.models import Shipment
from commerce.shipments.services import shipment_create
from connectors.couriers.kuaidi100.sandbox import Kuaidi100Simulator
from connectors.couriers.services import couriers_poll_due, shipment_refresh
from connectors.couriers.sf.sandbox import SfSimulator
from connectors.webhooks import connector_webhook  # noqa: F401 - the hook the simulator's pushes reach
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.factories import TEST_ACTOR
from tests.runtime.conftest import action, event_flow, publish

from .conftest import TRACKING_NO, post_form

pytestmark = pytest.mark.django_db


def test_a_flow_subscribes_each_new_parcel_and_the_simulators_push_delivers_the_order(kuaidi100_sandbox, shipped_order):
    flow = publish(event_flow("shipment.created", [action("subscribe", "shipment.subscribe")]))
    shipment, _ = shipment_create(
        order_id=shipped_order.pk, courier="kuaidi100", carrier="yuantong", tracking_no=TRACKING_NO, actor=TEST_ACTOR
    )

    outbox_drain(run_inline=10)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    assert execution.steps.get(node_id="subscribe").output == {
        "shipment": shipment.pk,
        "subscribed": True,
        "return_code": "200",
    }
    simulator = Kuaidi100Simulator(kuaidi100_sandbox)
    parcel = simulator.parcel(TRACKING_NO)
    assert (parcel["subscribed"], parcel["callbackurl"]) == (
        True,
        f"http://127.0.0.1:8000/hooks/kuaidi100/{kuaidi100_sandbox.pk}/",
    )
    for _ in range(5):
        simulator.advance(TRACKING_NO)
    call = simulator.push(TRACKING_NO)
    for _ in range(5):
        assert post_form("kuaidi100", kuaidi100_sandbox, call.body).status_code == 200
    assert Shipment.objects.get(pk=shipment.pk).status == "signed"
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"


def test_refresh_queries_kuaidi100_signed_and_applies_the_answer(kuaidi100_sandbox, parcel):
    simulator = Kuaidi100Simulator(kuaidi100_sandbox)
    simulator.advance(TRACKING_NO, at=timezone.now() - timedelta(hours=2))
    simulator.advance(TRACKING_NO, state="5", at=timezone.now() - timedelta(hours=1))

    result = shipment_refresh(shipment_id=parcel.pk)

    assert (result["new_events"], result["status"]) == (2, ["created", "out_for_delivery"])
    assert shipment_refresh(shipment_id=parcel.pk)["new_events"] == 0


def test_a_flow_refresh_fails_terminally_without_a_shipment(kuaidi100_sandbox, shipped_order):
    outbox_drain(run_inline=10)
    flow = publish(event_flow("order.status_changed", [action("refresh", "shipment.refresh")]))

    order_transition(order_id=shipped_order.pk, to="delivered", actor=TEST_ACTOR)
    outbox_drain(run_inline=10)

    step = Execution.objects.get(flow=flow).steps.get(node_id="refresh")
    assert (step.status, step.error["code"]) == ("failed", "no_shipment")


def test_sf_parcels_are_polled_every_interval(sf_sandbox, shipped_order, settings):
    settings.ORDERFLOW_SHIPMENT_POLL_MINUTES = 3
    shipment, _ = shipment_create(order_id=shipped_order.pk, courier="sf", tracking_no="SF100", actor=TEST_ACTOR)
    simulator = SfSimulator(sf_sandbox)
    start = timezone.now() - timedelta(hours=6)
    simulator.advance("SF100", at=start)

    assert couriers_poll_due() == {sf_sandbox.pk: 1}
    assert couriers_poll_due() == {sf_sandbox.pk: 0}  # polled less than 3 minutes ago
    for hour in range(1, 5):
        simulator.advance("SF100", at=start + timedelta(hours=hour))
    assert couriers_poll_due(now=timezone.now() + timedelta(minutes=3)) == {sf_sandbox.pk: 1}

    assert Shipment.objects.get(pk=shipment.pk).status == "signed"
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert couriers_poll_due(now=timezone.now() + timedelta(minutes=9)) == {sf_sandbox.pk: 0}  # signed: done


def test_kuaidi100_with_push_is_not_polled(kuaidi100_sandbox, parcel):
    assert couriers_poll_due() == {}
