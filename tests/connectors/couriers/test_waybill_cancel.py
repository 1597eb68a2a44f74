"""Cancelling an e-waybill at the courier (SF EXP_RECE_UPDATE_ORDER dealType 2, Kuaidi100 label/order
method=cancel) before pickup, and the smart audit's gate on the waybill request."""

import json
import re
from urllib.parse import parse_qs

import pytest

from commerce.audit.models import AuditEntry
from commerce.orders import services as order_services
from commerce.screening.errors import AwaitingAudit
from commerce.screening.models import ScreeningCase
from commerce.shipments import parcels
from commerce.shipments.models import Parcel
from connectors.couriers import waybills
from connectors.couriers.kuaidi100.sandbox import LABEL, Kuaidi100Simulator
from connectors.couriers.sf.sandbox import ORDER, SfSimulator
from connectors.models import SandboxRecord
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(channel, stocked):
    order = create_order(channel, lines=(("TEA-001", 2),), status="paid")
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    return parcel


def _waybilled(parcel, courier="sf"):
    placed, _ = waybills.parcel_waybill_request(parcel_id=parcel.pk, courier=courier, actor=TEST_ACTOR)
    return placed


def _cancel(parcel, reason="买家改地址"):
    return client_for("operator").post(
        f"/api/v1/parcels/{parcel.pk}/waybill/cancel/", {"reason": reason}, format="json"
    )


def test_an_sf_waybill_is_cancelled_before_pickup_and_a_new_one_can_be_requested(sf_sandbox, parcel):
    first = _waybilled(parcel)
    sim = SfSimulator(sf_sandbox)

    answer = _cancel(parcel)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["tracking_no"], body["courier"]) == ("planned", "", "")
    assert sim.cancelled(parcel.number)
    order_id = parcels.parcel_order_ids(parcel_id=parcel.pk)[0]
    [entry] = AuditEntry.objects.filter(subject_id=str(order_id), action=parcels.PARCEL_WAYBILL_CANCELLED)
    assert entry.changes["tracking_no"] == first.tracking_no and entry.changes["reason"] == "买家改地址"
    assert (entry.actor_kind, entry.actor_label) == ("user", "user-operator")

    second = _waybilled(parcel)  # SF never takes a cancelled orderId again: the next goes under <number>-1

    assert re.fullmatch(r"SF\d{13}", second.tracking_no) and second.tracking_no != first.tracking_no
    assert second.waybill["courier_order_id"] == f"{parcel.number}-1"
    assert sim.waybill_of(f"{parcel.number}-1") == second.tracking_no
    assert SandboxRecord.objects.filter(connection=sf_sandbox, kind=ORDER).count() == 2


def test_a_duplicate_cancel_is_refused_and_calls_the_courier_once(sf_sandbox, parcel, monkeypatch):
    _waybilled(parcel)
    calls = []
    original = SfSimulator.handle

    def counting(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        calls.append(form.get("serviceCode"))
        return original(self, request)

    monkeypatch.setattr(SfSimulator, "handle", counting)
    first, again = _cancel(parcel), _cancel(parcel)

    assert first.status_code == 200
    assert again.status_code == 409 and again.json()["code"] == "waybill_not_cancellable"
    assert again.json()["details"]["status"] == "planned"
    assert calls == ["EXP_RECE_UPDATE_ORDER"]
    assert Parcel.objects.get(pk=parcel.pk).waybill_cancels == 1


def test_a_waybill_the_courier_picked_up_is_not_cancelled(sf_sandbox, parcel):
    placed = _waybilled(parcel)
    SfSimulator(sf_sandbox).advance(placed.tracking_no)  # 50 收件: SF has the parcel

    answer = _cancel(parcel)

    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "waybill_not_cancellable"
    assert answer.json()["details"]["courier"] == "picked up"
    kept = Parcel.objects.get(pk=parcel.pk)
    assert (kept.status, kept.tracking_no) == ("waybilled", placed.tracking_no)


def test_a_shipped_parcel_is_refused_without_calling_the_courier(sf_sandbox, parcel):
    _waybilled(parcel)
    parcels.parcel_ship(parcel_id=parcel.pk, actor=TEST_ACTOR)

    answer = _cancel(parcel)

    assert answer.status_code == 409 and answer.json()["details"]["status"] == "shipped"
    assert not SfSimulator(sf_sandbox).cancelled(parcel.number)


def test_the_courier_counting_the_waybill_cancelled_already_is_a_cancel(sf_sandbox, parcel):
    """A retry after a lost answer: SF cancelled it, Orderflow did not record it."""
    from connectors.services.connections import connection_client

    _waybilled(parcel)
    connection_client(sf_sandbox).cancel_order(order_id=parcel.number)

    answer = _cancel(parcel)

    assert answer.status_code == 200 and answer.json()["status"] == "planned"


def test_a_kuaidi100_waybill_is_cancelled_signed(kuaidi100_sandbox, parcel, monkeypatch):
    placed = _waybilled(parcel, courier="kuaidi100")
    sent = []
    original = Kuaidi100Simulator.handle

    def spy(self, request):
        sent.append((request.url, {k: v[0] for k, v in parse_qs(request.body.decode()).items()}))
        return original(self, request)

    monkeypatch.setattr(Kuaidi100Simulator, "handle", spy)
    answer = _cancel(parcel)

    assert answer.status_code == 200, answer.content
    [(url, form)] = sent
    assert url.endswith("/label/order?method=cancel") and form["method"] == "cancel"
    param = json.loads(form["param"])
    assert (param["kuaidicom"], param["kuaidinum"], param["reason"]) == ("yuantong", placed.tracking_no, "买家改地址")
    assert re.fullmatch(r"[0-9A-F]{32}", form["sign"])
    assert Kuaidi100Simulator(kuaidi100_sandbox).label_cancelled(placed.tracking_no)
    assert SandboxRecord.objects.filter(connection=kuaidi100_sandbox, kind=LABEL).count() == 1


def test_a_kuaidi100_waybill_picked_up_is_not_cancelled(kuaidi100_sandbox, parcel):
    placed = _waybilled(parcel, courier="kuaidi100")
    Kuaidi100Simulator(kuaidi100_sandbox).advance(placed.tracking_no)  # 揽收

    answer = _cancel(parcel)

    assert answer.status_code == 409 and answer.json()["code"] == "waybill_not_cancellable"


@pytest.mark.parametrize(
    "body, field",
    [({"reason": "x" * 101}, "reason"), ({"reason": 5.5j}, None), ("[]", None)],
)
def test_bad_cancel_input_changes_nothing(sf_sandbox, parcel, body, field):
    placed = _waybilled(parcel)

    if isinstance(body, str):
        answer = client_for("operator").post(
            f"/api/v1/parcels/{parcel.pk}/waybill/cancel/", body, content_type="application/json"
        )
    elif isinstance(body["reason"], complex):
        answer = client_for("operator").post(
            f"/api/v1/parcels/{parcel.pk}/waybill/cancel/", "{not json", content_type="application/json"
        )
    else:
        answer = client_for("operator").post(f"/api/v1/parcels/{parcel.pk}/waybill/cancel/", body, format="json")

    assert answer.status_code == 400, answer.content
    if field:
        assert field in answer.json()["details"]
    assert Parcel.objects.get(pk=parcel.pk).tracking_no == placed.tracking_no


def test_cancelling_an_unknown_parcel_is_404(sf_sandbox, db):
    answer = client_for("operator").post("/api/v1/parcels/999999/waybill/cancel/", {}, format="json")
    assert answer.status_code == 404


def test_a_manager_may_not_cancel(sf_sandbox, parcel):
    _waybilled(parcel)
    answer = client_for("manager").post(f"/api/v1/parcels/{parcel.pk}/waybill/cancel/", {}, format="json")
    assert answer.status_code == 403
    assert Parcel.objects.get(pk=parcel.pk).status == "waybilled"


def test_a_waybill_is_not_requested_for_an_order_that_fails_the_smart_audit(sf_sandbox, parcel):
    order_id = parcels.parcel_order_ids(parcel_id=parcel.pk)[0]
    order_services.order_hold(order_id=order_id, reason="call the buyer", actor=TEST_ACTOR)

    with pytest.raises(AwaitingAudit) as refused:
        waybills.parcel_waybill_request(parcel_id=parcel.pk, courier="sf", actor=TEST_ACTOR)
    answer = client_for("operator").post(f"/api/v1/parcels/{parcel.pk}/waybill/", {"courier": "sf"}, format="json")
    batch = client_for("operator").post("/api/v1/waybills/", {"order_ids": [order_id], "courier": "sf"}, format="json")

    assert [r["key"] for r in refused.value.details["reasons"]] == ["not_held"]
    assert answer.status_code == 409 and answer.json()["code"] == "awaiting_audit"
    assert batch.status_code == 200 and batch.json()["errors"][str(order_id)]["code"] == "awaiting_audit"
    assert not SandboxRecord.objects.filter(connection=sf_sandbox, kind=ORDER).exists()
    assert ScreeningCase.objects.get(order_id=order_id).state == "waiting"


def test_a_flow_requests_a_waybill_then_cancels_it(sf_sandbox, channel, stocked):
    from runtime.dispatch import outbox_drain
    from runtime.models import Execution
    from tests.runtime.conftest import action, event_flow, publish

    flow = publish(
        event_flow(
            "order.paid",
            [
                action("waybill", "shipment.waybill", {"courier": "sf"}),
                action("cancel", "shipment.waybill_cancel", {"reason": "地址待确认"}),
            ],
        )
    )

    order = create_order(channel, external_id="F-CANCEL", lines=(("TEA-001", 1),), status="paid")
    outbox_drain(run_inline=10)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded", list(execution.steps.values("node_id", "error"))
    [parcel] = parcels.parcels_of_order(order_id=order.pk)
    assert execution.steps.get(node_id="cancel").output == {"order_id": order.pk, "cancelled": [parcel.number]}
    assert (parcel.status, parcel.tracking_no, parcel.waybill_cancels) == ("planned", "", 1)
    assert SfSimulator(sf_sandbox).cancelled(parcel.number)


def test_the_cancel_action_fails_for_an_order_without_a_waybill(sf_sandbox, channel, stocked):
    from runtime.dispatch import outbox_drain
    from runtime.models import Execution
    from tests.runtime.conftest import action, event_flow, publish

    flow = publish(event_flow("order.paid", [action("cancel", "shipment.waybill_cancel", {})]))

    create_order(channel, external_id="F-NONE", lines=(("TEA-001", 1),), status="paid")
    outbox_drain(run_inline=10)

    step = Execution.objects.get(flow=flow).steps.get(node_id="cancel")
    assert step.status == "failed" and "no_waybill" in str(step.error)
