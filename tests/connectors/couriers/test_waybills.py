"""E-waybills through SF 丰桥 (EXP_RECE_CREATE_ORDER) and Kuaidi100 (label/order), and their labels."""

import json
import re
from urllib.parse import parse_qs

import pytest

from commerce.audit.models import AuditEntry
from commerce.shipments import parcels
from commerce.shipments.models import Parcel
from connectors.base import ProviderError
from connectors.couriers import waybills
from connectors.couriers.kuaidi100.sandbox import LABEL
from connectors.couriers.kuaidi100.signing import label_sign
from connectors.couriers.sf.sandbox import ORDER, SfSimulator
from connectors.couriers.sf.signing import msg_digest
from connectors.models import SandboxRecord
from connectors.sandbox import SimRequest
from connectors.services.connections import connection_client
from core.code128 import PATTERNS, code128b_modules, code128b_values
from tests.factories import TEST_ACTOR, create_order


@pytest.fixture
def paid_order(channel, stocked):
    return create_order(channel, lines=(("TEA-001", 2),), status="paid")


def test_sf_waybill_is_placed_signed_and_a_repeat_returns_the_same_number(sf_sandbox, paid_order):
    [parcel] = parcels.order_parcels_ensure(order_id=paid_order.pk, actor=TEST_ACTOR)

    first, placed = waybills.parcel_waybill_request(parcel_id=parcel.pk, courier="sf", actor=TEST_ACTOR)
    again, placed_again = waybills.parcel_waybill_request(parcel_id=parcel.pk, courier="sf", actor=TEST_ACTOR)

    assert (placed, placed_again) == (True, False)
    assert re.fullmatch(r"SF\d{13}", first.tracking_no) and again.tracking_no == first.tracking_no
    assert first.status == Parcel.WAYBILLED and first.waybill["route_label"] == "021WE-010"
    assert SandboxRecord.objects.filter(connection=sf_sandbox, kind=ORDER).count() == 1
    assert AuditEntry.objects.filter(subject_id=str(paid_order.pk), action=parcels.PARCEL_WAYBILLED).count() == 1


def test_sf_answers_a_lost_answers_retry_with_the_first_waybill(sf_sandbox):
    client = connection_client(sf_sandbox)
    order = dict(
        order_id="PC-LOST-1",
        sender={"contact": "仓库", "tel": "021", "address": "张江路 1 号"},
        receiver={"contact": "张伟", "tel": "13800138000", "city": "杭州市", "address": "文三路 90 号"},
        cargo=[{"name": "龙井", "count": 1}],
    )

    first = client.create_order(**order)
    second = client.create_order(**order)  # SF refuses 8016 重复下单; the client reads the first back

    assert second["waybill_no"] == first["waybill_no"]


def _sf_form(sim, service, msg, *, check_word=None):
    text = json.dumps(msg, ensure_ascii=False, separators=(",", ":"))
    timestamp = "1717000000000"
    return {
        "partnerID": sim.partner_id,
        "requestID": "6e2e7c1a-0000-4000-8000-000000000000",
        "serviceCode": service,
        "timestamp": timestamp,
        "msgDigest": msg_digest(text, timestamp, check_word or sim.check_word),
        "msgData": text,
    }


def _post(sim, url, form):
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    return sim.handle(
        SimRequest(method="POST", url=url, path=parts.path, query={}, headers={}, body=urlencode(form).encode())
    )


def test_the_sf_sandbox_refuses_a_create_order_not_signed_with_the_check_word(sf_sandbox):
    sim = SfSimulator(sf_sandbox)
    msg = {"orderId": "PC-1", "contactInfoList": [], "cargoDetails": [{"name": "x", "count": 1}]}

    forged = _post(sim, sim.base_url + "/std/service", _sf_form(sim, "EXP_RECE_CREATE_ORDER", msg, check_word="x"))
    incomplete = _post(sim, sim.base_url + "/std/service", _sf_form(sim, "EXP_RECE_CREATE_ORDER", msg))

    assert json.loads(forged.body)["apiResultCode"] == "A1004"
    inner = json.loads(json.loads(incomplete.body)["apiResultData"])
    assert (inner["success"], inner["errorCode"]) == (False, "1014")
    assert not SandboxRecord.objects.filter(kind=ORDER).exists()


def test_kuaidi100_waybill_is_placed_with_the_label_signature(kuaidi100_sandbox, paid_order):
    [parcel] = parcels.order_parcels_ensure(order_id=paid_order.pk, actor=TEST_ACTOR)

    done, placed = waybills.parcel_waybill_request(
        parcel_id=parcel.pk, courier="kuaidi100", carrier="zhongtong", actor=TEST_ACTOR
    )

    assert placed and done.tracking_no.startswith("ZT") and done.carrier == "zhongtong"
    assert SandboxRecord.objects.get(kind=LABEL, key=done.tracking_no).data["orderId"] == parcel.number


def test_the_kuaidi100_sandbox_checks_the_label_sign(kuaidi100_sandbox):
    from connectors.couriers.kuaidi100.sandbox import Kuaidi100Simulator

    sim = Kuaidi100Simulator(kuaidi100_sandbox)
    param = json.dumps(
        {"kuaidicom": "yuantong", "recMan": {"printAddr": "杭州", "mobile": "13800138000"}}, ensure_ascii=False
    )
    good = {"method": "order", "key": sim.key, "t": "1717000000000", "param": param}
    good["sign"] = label_sign(param, good["t"], sim.key, sim.secret)
    forged = {**good, "sign": label_sign(param, good["t"], sim.key, "not-the-secret")}
    tampered = {**good, "param": param.replace("杭州", "上海")}

    answers = [
        json.loads(_post(sim, "https://api.kuaidi100.com/label/order?method=order", f).body)
        for f in (good, forged, tampered)
    ]

    assert answers[0]["code"] == 200 and answers[0]["data"]["kuaidinum"].startswith("YT")
    assert [a["message"] for a in answers[1:]] == ["签名错误", "签名错误"]
    assert SandboxRecord.objects.filter(kind=LABEL).count() == 1


def test_a_label_signed_with_a_wrong_secret_is_a_terminal_provider_error(kuaidi100_sandbox):
    client = connection_client(kuaidi100_sandbox)
    client.secret = "not-the-accounts-secret"

    with pytest.raises(ProviderError) as refused:
        client.label_order(
            company="yuantong",
            order_id="PC-1",
            sender={"name": "仓库", "mobile": "021", "printAddr": "上海"},
            receiver={"name": "张伟", "mobile": "13800138000", "printAddr": "杭州"},
            cargo="茶",
            count=1,
        )

    assert (refused.value.code, refused.value.retryable) == ("kuaidi100_400", False)
    assert not SandboxRecord.objects.filter(kind=LABEL).exists()


def test_a_merged_parcel_gets_one_waybill_for_both_orders(sf_sandbox, channel, stocked):
    a = create_order(channel, external_id="A", lines=(("TEA-001", 1),), status="paid")
    b = create_order(channel, external_id="B", lines=(("TEA-001", 3),), status="paid")
    merged = parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)

    answer = waybills.orders_waybills_request(order_ids=[a.pk, b.pk], courier="sf", actor=TEST_ACTOR)

    assert [p.pk for p in answer["parcels"]] == [merged.pk] and answer["errors"] == {}
    assert SandboxRecord.objects.filter(kind=ORDER).count() == 1


def test_labels_print_a_pick_wave_into_one_pdf(sf_sandbox, channel, stocked):
    orders = [create_order(channel, external_id=f"W{n}", lines=(("TEA-001", 1),), status="paid") for n in range(3)]
    answer = waybills.orders_waybills_request(order_ids=[o.pk for o in orders], courier="sf", actor=TEST_ACTOR)

    pdf = waybills.orders_labels_pdf(order_ids=[o.pk for o in orders])

    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 3" in pdf and pdf.count(b"/Type /Page ") == 3
    for parcel in answer["parcels"]:
        assert f"({parcel.tracking_no}) Tj".encode() in pdf
    bars = sum(1 for _ in re.finditer(rb" re f", pdf))
    # 3 bars a symbol, 4 in the stop symbol: every label's barcode is drawn whole
    assert bars == sum(3 * len(code128b_values(p.tracking_no)) + 1 for p in answer["parcels"])


def test_labels_of_orders_without_waybills_are_refused(paid_order):
    with pytest.raises(waybills.InvalidInput):
        waybills.orders_labels_pdf(order_ids=[paid_order.pk])


def test_the_code128_table_is_well_formed():
    assert len(PATTERNS) == 107 and len(set(PATTERNS)) == 107
    for pattern in PATTERNS[:106]:
        widths = [int(w) for w in pattern]
        assert sum(widths) == 11 and sum(widths[0::2]) % 2 == 0  # bars take an even number of modules
    assert sum(int(w) for w in PATTERNS[106]) == 13


def test_code128_check_symbol():
    # "SF1" → values 51, 38, 17; (104 + 1·51 + 2·38 + 3·17) mod 103 = 282 mod 103 = 76
    assert code128b_values("SF1") == [104, 51, 38, 17, 76, 106]
    assert len(code128b_modules("SF1")) == 6 * 5 + 7
    with pytest.raises(ValueError):
        code128b_values("顺丰")


def test_the_sf_request_form_is_what_sf_documents(sf_sandbox, paid_order):
    seen = []
    sim_handle = SfSimulator.handle

    def spy(self, request):
        seen.append({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        return sim_handle(self, request)

    SfSimulator.handle = spy
    try:
        [parcel] = parcels.order_parcels_ensure(order_id=paid_order.pk, actor=TEST_ACTOR)
        waybills.parcel_waybill_request(parcel_id=parcel.pk, courier="sf", actor=TEST_ACTOR)
    finally:
        SfSimulator.handle = sim_handle
    [form] = seen
    assert set(form) == {"partnerID", "requestID", "serviceCode", "timestamp", "msgDigest", "msgData"}
    assert form["serviceCode"] == "EXP_RECE_CREATE_ORDER"
    assert form["msgDigest"] == msg_digest(form["msgData"], form["timestamp"], "sandbox-sf-check-word-0123456789")
    msg = json.loads(form["msgData"])
    assert msg["orderId"] == parcel.number
    assert [c["contactType"] for c in msg["contactInfoList"]] == [1, 2]
    assert msg["contactInfoList"][1]["tel"] == paid_order.ship_to_phone


def test_a_flow_merges_the_buyers_paid_orders_and_requests_one_waybill(sf_sandbox, channel, stocked):
    from runtime.dispatch import outbox_drain
    from runtime.models import Execution
    from tests.runtime.conftest import action, event_flow, publish

    first = create_order(channel, external_id="F-1", lines=(("TEA-001", 1),), status="paid")
    outbox_drain(run_inline=10)  # the first order's events, before any flow
    flow = publish(
        event_flow(
            "order.paid", [action("merge", "order.merge"), action("waybill", "shipment.waybill", {"courier": "sf"})]
        )
    )

    second = create_order(channel, external_id="F-2", lines=(("TEA-001", 2),), status="paid")
    outbox_drain(run_inline=10)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded", list(execution.steps.values("node_id", "error"))
    merge = execution.steps.get(node_id="merge").output
    [parcel] = Parcel.objects.filter(kind=Parcel.MERGED)
    assert merge == {"order_id": second.pk, "parcels": [parcel.number], "merged": True}
    waybill = execution.steps.get(node_id="waybill").output
    parcel.refresh_from_db()
    assert waybill == {
        "order_id": second.pk,
        "waybills": [{"parcel": parcel.number, "tracking_no": parcel.tracking_no}],
    }
    assert {o["id"] for o in parcels.parcel_representation(parcel)["orders"]} == {first.pk, second.pk}


def test_the_pdfs_cross_reference_table_points_at_each_object():
    from core.pdf import MM, Document

    document = Document(title="面单")
    page = document.page(100 * MM, 150 * MM)
    page.text(10, 400, "顺丰速运 收 张伟 (浙江)", size=12)
    page.text(10, 380, "SF1234567890123 (x)", latin=True)
    page.rect(10, 300, 2, 40)
    pdf = document.render()

    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 ")
    rows = pdf[xref:].split(b"\n")[3:]
    offsets = [int(row[:10]) for row in rows if row.endswith(b" n ")]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    shown = "顺丰速运 收 张伟 (浙江)".encode("utf-16-be").hex().upper()
    assert f"<{shown}> Tj".encode() in pdf  # UCS-2 big-endian for UniGB-UCS2-H
    assert b"(SF1234567890123 \\(x\\)) Tj" in pdf  # parentheses escaped in a literal string
    assert b"/Encoding /UniGB-UCS2-H" in pdf and b"/Count 1" in pdf
