"""E-waybills (电子面单): a tracking number and label from the courier's order API, and the labels as PDF.

``parcel_waybill_request`` asks the parcel's courier for a waybill — SF 丰桥
``EXP_RECE_CREATE_ORDER`` (msgDigest-signed, keyed by the parcel number: SF refuses a second
order with the same orderId and the client reads the first one's waybill back) or Kuaidi100's
``label/order`` — and records it on the parcel (``parcel_waybill_record``, idempotent on
``waybill:<parcel>:<courier>``). A parcel that already has its waybill is answered from the
database without a call: a repeated request returns the same number. Before the courier is
called, every order in the parcel must pass the smart audit (``screening_require``: an order
that fails waits in the audit queue and the request answers ``awaiting_audit``).

No transaction is open while the courier is called; the record is one transaction after it.

``parcel_waybill_cancel`` cancels a waybill at the courier before pickup (SF
``EXP_RECE_UPDATE_ORDER`` with ``dealType`` 2, Kuaidi100 ``label/order`` ``method=cancel``): the
parcel is back to ``planned`` and its next waybill goes under a new courier order number
(``<parcel>-<k>``), since couriers never reuse a cancelled one.

``labels_pdf`` draws one 100 × 150 mm label per parcel (courier, tracking number as a Code 128
barcode, routing code, receiver, sender, the orders and lines it carries) into one PDF — a
pick wave's labels print as one document.
"""

from __future__ import annotations

from collections.abc import Sequence

from commerce.orders.models import Order
from commerce.screening.services import screening_require
from commerce.shipments import parcels as parcel_services
from commerce.shipments.models import Parcel
from core.actors import Actor
from core.code128 import code128b_modules
from core.errors import DomainError, InvalidInput, NotFound
from core.pdf import MM, Document, Page

from ..base import ProviderError
from .tracking import courier_connection

WAYBILL_COURIERS = ("sf", "kuaidi100")
DEFAULT_CARRIER = "yuantong"
MAX_PARCELS_PER_PRINT = 200
COURIER_NAMES = {"sf": "顺丰速运 SF Express", "kuaidi100": "快递100"}
CARRIER_NAMES = {"yuantong": "圆通速递", "zhongtong": "中通快递", "yunda": "韵达快递", "shentong": "申通快递"}
# Where parcels are sent from when the connection's settings name no sender.
DEFAULT_SENDER = {
    "name": "Orderflow 仓库",
    "phone": "02100000000",
    "province": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "line": "张江路 1 号",
}


def _receiver(order: Order) -> dict:
    return {
        "name": order.ship_to_name,
        "phone": order.ship_to_phone,
        "province": order.province,
        "city": order.city,
        "district": order.district,
        "line": order.address_line,
    }


def _sender(connection) -> dict:
    configured = (connection.settings or {}).get("sender") if connection is not None else None
    return {**DEFAULT_SENDER, **(configured if isinstance(configured, dict) else {})}


def _first_order(parcel: Parcel) -> Order:
    line = parcel.lines.select_related("order").order_by("order_id").first()
    if line is None:
        raise NotFound(details={"parcel": parcel.pk})
    return line.order


def _call_courier(parcel: Parcel, courier: str, carrier: str, connection) -> tuple[str, dict]:
    from ..services.connections import connection_client

    order = _first_order(parcel)
    to, sender = _receiver(order), _sender(connection)
    items = list(parcel.lines.select_related("order_line").order_by("pk"))
    client = connection_client(connection)
    courier_order_id = parcel_services.parcel_courier_order_id(parcel)
    if courier == "sf":
        answer = client.create_order(
            order_id=courier_order_id,
            sender={
                "contact": sender["name"],
                "tel": sender["phone"],
                "province": sender["province"],
                "city": sender["city"],
                "county": sender["district"],
                "address": sender["line"],
            },
            receiver={
                "contact": to["name"],
                "tel": to["phone"],
                "province": to["province"],
                "city": to["city"],
                "county": to["district"],
                "address": to["line"],
            },
            cargo=[{"name": item.order_line.title[:60], "count": item.quantity} for item in items],
        )
        return answer["waybill_no"], {
            "route_label": answer["route_label"],
            "origin_code": answer["origin_code"],
            "dest_code": answer["dest_code"],
            "courier_order_id": courier_order_id,
        }
    answer = client.label_order(
        company=carrier,
        order_id=courier_order_id,
        sender={
            "name": sender["name"],
            "mobile": sender["phone"],
            "printAddr": f"{sender['province']}{sender['city']}{sender['district']}{sender['line']}",
        },
        receiver={
            "name": to["name"],
            "mobile": to["phone"],
            "printAddr": f"{to['province']}{to['city']}{to['district']}{to['line']}",
        },
        cargo=items[0].order_line.title[:30] if items else "",
        count=sum(item.quantity for item in items),
    )
    return answer["waybill_no"], {
        "route_label": answer["bulkpen"],
        "label_url": answer["label_url"],
        "courier_order_id": courier_order_id,
        "kd_com_order_num": answer.get("kd_com_order_num", ""),
    }


def parcel_waybill_request(*, parcel_id: int, courier: str, actor: Actor, carrier: str = "") -> tuple[Parcel, bool]:
    """The parcel's waybill from ``courier`` (``sf`` or ``kuaidi100`` with ``carrier``); returns the
    parcel and whether a new waybill was placed. A parcel already waybilled (by any courier) is
    returned as it is. ``ProviderError`` passes through (the caller retries: SF answers the same
    number for the same parcel)."""
    if courier not in WAYBILL_COURIERS:
        raise InvalidInput(details={"courier": f"one of {', '.join(WAYBILL_COURIERS)}"})
    carrier = "" if courier == "sf" else (carrier or DEFAULT_CARRIER)
    parcel = parcel_services.parcel_find(parcel_id=parcel_id)
    if parcel is None:
        raise parcel_services.ParcelNotFound(details={"parcel": parcel_id})
    if parcel.tracking_no and parcel.status != Parcel.CANCELLED:
        return parcel, False
    if parcel.status != Parcel.PLANNED:
        raise parcel_services.ParcelNotChangeable(details={"parcel": parcel.number, "status": parcel.status})
    connection = courier_connection(courier)
    if connection is None:
        raise NotFound(details={"courier": f"no enabled {courier} connection"})
    # A waybill sends the box on its way: each order in it must have passed the smart audit.
    for order_id in parcel_services.parcel_order_ids(parcel_id=parcel.pk):
        screening_require(order_id=order_id, path="waybill")
    tracking_no, waybill = _call_courier(parcel, courier, carrier, connection)
    return parcel_services.parcel_waybill_record(
        parcel_id=parcel.pk,
        courier=courier,
        carrier=carrier,
        tracking_no=tracking_no,
        waybill=waybill,
        idempotency_key=parcel_services.parcel_waybill_key(parcel, courier),
        actor=actor,
    )


# The courier's answer that the parcel is picked up already: the waybill stays.
PICKED_UP_CODES = frozenset({"sf_8252", "kuaidi100_30002"})  # [unverified] see the couriers' doc.md


def parcel_waybill_cancel(*, parcel_id: int, actor: Actor, reason: str = "") -> Parcel:
    """Cancels the parcel's e-waybill at its courier — SF ``EXP_RECE_UPDATE_ORDER`` (``dealType``
    2) or Kuaidi100 ``label/order`` ``method=cancel`` — and puts the parcel back to ``planned``
    without a waybill (``parcel_waybill_cancel_record``), so a new one can be requested.

    Refused with ``WaybillNotCancellable`` (nothing called, nothing changed) when the parcel has
    no waybill — cancelled already (a duplicate cancel) — or has shipped, and when the courier
    answers that it has picked the parcel up. The courier counting a waybill as cancelled already
    (a retry after a lost answer) is a cancel. ``ProviderError`` otherwise passes through. No
    transaction is open while the courier is called."""
    parcel = parcel_services.parcel_waybill_cancel_check(parcel_id=parcel_id)
    connection = courier_connection(parcel.courier)
    if connection is None:
        raise NotFound(details={"courier": f"no enabled {parcel.courier} connection"})
    from ..services.connections import connection_client

    client = connection_client(connection)
    courier_order_id = str(parcel.waybill.get("courier_order_id") or parcel.number)
    try:
        if parcel.courier == "sf":
            client.cancel_order(order_id=courier_order_id)
        else:
            client.label_cancel(
                company=parcel.carrier,
                number=parcel.tracking_no,
                order_id=str(parcel.waybill.get("kd_com_order_num") or ""),
                reason=reason or "取消发货",
            )
    except ProviderError as exc:
        if exc.code in PICKED_UP_CODES:
            raise parcel_services.WaybillNotCancellable(
                details={"parcel": parcel.number, "tracking_no": parcel.tracking_no, "courier": "picked up"}
            ) from None
        raise
    return parcel_services.parcel_waybill_cancel_record(
        parcel_id=parcel.pk, tracking_no=parcel.tracking_no, actor=actor, reason=reason
    )


def orders_waybills_request(*, order_ids: Sequence[int], courier: str, actor: Actor, carrier: str = "") -> dict:
    """Waybills for every parcel of the orders (an order with no plan gets one parcel for it
    whole; a merged parcel is asked for once). Answers ``{parcels: [...], errors: {order id: …}}``:
    one order's refusal does not stop the others."""
    done: dict[int, Parcel] = {}
    errors: dict[str, dict] = {}
    for order_id in order_ids:
        try:
            for parcel in parcel_services.order_parcels_ensure(order_id=order_id, actor=actor):
                if parcel.pk not in done:
                    done[parcel.pk], _ = parcel_waybill_request(
                        parcel_id=parcel.pk, courier=courier, carrier=carrier, actor=actor
                    )
        except ProviderError as exc:
            errors[str(order_id)] = {"code": exc.code or "provider_error", "message": exc.message}
        except DomainError as exc:
            errors[str(order_id)] = {"code": exc.code, "message": str(exc.message), "details": exc.details}
    return {"parcels": list(done.values()), "errors": errors}


# --- labels -------------------------------------------------------------------------------------


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone


def _barcode(page: Page, x: float, y: float, text: str, *, height: float, module: float) -> None:
    cursor = x
    for n, width in enumerate(code128b_modules(text)):
        if n % 2 == 0:
            page.rect(cursor, y, width * module, height)
        cursor += width * module


def _label(document: Document, parcel: Parcel) -> None:
    width, height = 100 * MM, 150 * MM
    page = document.page(width, height)
    order = _first_order(parcel)
    items = list(parcel.lines.select_related("order", "order_line").order_by("order_id", "pk"))
    courier = COURIER_NAMES.get(parcel.courier, parcel.courier)
    if parcel.carrier:
        courier = f"{CARRIER_NAMES.get(parcel.carrier, parcel.carrier)} ({courier})"
    top = height - 10 * MM
    page.text(6 * MM, top, courier, size=12)
    page.text(6 * MM, top - 8 * MM, str(parcel.waybill.get("route_label", "")), size=16)
    page.line(4 * MM, top - 11 * MM, width - 4 * MM, top - 11 * MM)
    code = parcel.tracking_no or parcel.number
    modules = sum(code128b_modules(code)) + 20  # quiet zones of 10 modules
    module = min(0.5 * MM, (width - 12 * MM) / modules)
    _barcode(page, 6 * MM + 10 * module, top - 32 * MM, code, height=18 * MM, module=module)
    page.text(6 * MM, top - 37 * MM, code, size=11, latin=True)
    page.line(4 * MM, top - 40 * MM, width - 4 * MM, top - 40 * MM)
    page.text(6 * MM, top - 47 * MM, f"收 {order.ship_to_name}  {_mask_phone(order.ship_to_phone)}", size=10)
    page.text(6 * MM, top - 53 * MM, f"{order.province}{order.city}{order.district}"[:40], size=9)
    page.text(6 * MM, top - 58 * MM, order.address_line[:40], size=9)
    sender = DEFAULT_SENDER
    page.text(6 * MM, top - 66 * MM, f"寄 {sender['name']}  {sender['city']}{sender['district']}", size=8)
    page.line(4 * MM, top - 69 * MM, width - 4 * MM, top - 69 * MM)
    orders = sorted({item.order.number for item in items})
    page.text(6 * MM, top - 75 * MM, f"Parcel {parcel.number}  ({parcel.kind})", size=8, latin=True)
    page.text(6 * MM, top - 80 * MM, "Orders: " + ", ".join(orders)[:70], size=7, latin=True)
    y = top - 86 * MM
    for item in items[:14]:
        page.text(6 * MM, y, f"{item.order_line.sku} × {item.quantity}  {item.order_line.title}"[:44], size=7)
        y -= 4 * MM
    if len(items) > 14:
        page.text(6 * MM, y, f"… +{len(items) - 14}", size=7)


def labels_pdf(*, parcel_ids: Sequence[int]) -> bytes:
    """One PDF with a label per parcel, in the order given (a pick wave prints as one document).
    Parcels without a waybill print with their parcel number as the barcode, marked as such."""
    ids = list(dict.fromkeys(parcel_ids))
    if not 1 <= len(ids) <= MAX_PARCELS_PER_PRINT:
        raise InvalidInput(details={"parcels": f"1 to {MAX_PARCELS_PER_PRINT} parcels"})
    found = {p.pk: p for p in Parcel.objects.filter(pk__in=ids).exclude(status=Parcel.CANCELLED)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise parcel_services.ParcelNotFound(details={"parcels": missing})
    document = Document(title="Orderflow labels")
    for pk in ids:
        _label(document, found[pk])
    return document.render()


def orders_labels_pdf(*, order_ids: Sequence[int]) -> bytes:
    """The labels of the orders' waybilled parcels (a merged parcel once)."""
    parcel_ids: list[int] = []
    for order_id in order_ids:
        for parcel in parcel_services.parcels_of_order(order_id=order_id):
            if parcel.tracking_no and parcel.pk not in parcel_ids:
                parcel_ids.append(parcel.pk)
    if not parcel_ids:
        raise InvalidInput(details={"order_ids": "none of these orders has a waybill yet: request waybills first"})
    return labels_pdf(parcel_ids=parcel_ids)
