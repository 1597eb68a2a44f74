"""``shipment.subscribe``, ``shipment.refresh``, ``shipment.waybill`` and ``shipment.waybill_cancel``: flow
actions on the order's parcels at their courier.

Both call the courier (``external``): no transaction is open, and both are safe to repeat — a
second subscription is answered "already subscribed", a second query stores nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from builder.catalog import ActionSpec
from commerce.shipments.selectors import shipment_find, shipment_latest_of_order
from core.errors import DomainError
from runtime.actions import register
from runtime.actions.base import Action, ActionRun, object_schema, order_id_of, step_failure
from runtime.errors import RetryableFailure, TerminalFailure

from ..base import ProviderError
from .services import shipment_refresh, shipment_subscribe
from .waybills import WAYBILL_COURIERS, orders_waybills_request, parcel_waybill_cancel

PARAMS = object_schema(
    {
        "tracking_no": {
            "type": "string",
            "maxLength": 64,
            "description": "Which parcel; by default the order's most recently recorded one.",
        },
        "courier": {"type": "string", "maxLength": 32, "description": "With tracking_no: the courier's key."},
    }
)


def _shipment_id(params: dict, run: ActionRun) -> int:
    if params.get("tracking_no"):
        found = shipment_find(courier=params.get("courier", ""), tracking_no=params["tracking_no"])
        if found is None:
            raise TerminalFailure("shipment_not_found", "no shipment has this courier and tracking number")
        return found.pk
    latest = shipment_latest_of_order(order_id=order_id_of(run))
    if latest is None:
        raise TerminalFailure("no_shipment", "the order has no shipment recorded")
    return latest.pk


Result = TypeVar("Result")


def _call(fn: Callable[..., Result], **kwargs) -> Result:
    try:
        return fn(**kwargs)
    except ProviderError as exc:
        cls = RetryableFailure if exc.retryable else TerminalFailure
        raise cls(exc.code or "provider_error", exc.message) from None
    except DomainError as exc:
        raise step_failure(exc) from None


class ShipmentSubscribe(Action):
    external = True
    spec = ActionSpec(
        key="shipment.subscribe",
        name_en="Subscribe the parcel's tracking",
        name_zh="订阅物流轨迹",
        description_en="Asks the courier to push the parcel's tracking to Orderflow (Kuaidi100); SF is queried.",
        description_zh="请快递公司把包裹轨迹推送给 Orderflow（快递100）；顺丰则改为定时查询。",
        group="shipment",
        icon="truck",
        params_schema=PARAMS,
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        return _call(shipment_subscribe, shipment_id=_shipment_id(params, run))

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "shipment": _shipment_id(params, run)}


class ShipmentRefresh(Action):
    external = True
    spec = ActionSpec(
        key="shipment.refresh",
        name_en="Refresh the parcel's tracking now",
        name_zh="立即查询物流轨迹",
        description_en="Queries the courier now and applies any new tracking events.",
        description_zh="立即向快递公司查询并更新物流轨迹。",
        group="shipment",
        icon="refresh",
        params_schema=PARAMS,
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        return _call(shipment_refresh, shipment_id=_shipment_id(params, run), source="flow")

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "shipment": _shipment_id(params, run)}


class ShipmentWaybill(Action):
    external = True
    spec = ActionSpec(
        key="shipment.waybill",
        name_en="Request the e-waybill",
        name_zh="申请电子面单",
        description_en="Asks the courier's order API (SF 丰桥, or Kuaidi100 for a carrier) for a tracking number "
        "and label for each parcel of the order (a merged parcel once). A repeat returns the same number.",
        description_zh="向快递公司下单接口（顺丰丰桥，或经快递100 的快递公司）为订单的每个包裹申请运单号和面单"
        "（合单包裹只申请一次）；重复执行返回同一运单号。",
        group="shipment",
        icon="printer",
        params_schema=object_schema(
            {
                "courier": {
                    "type": "string",
                    "enum": list(WAYBILL_COURIERS),
                    "x-title": {"zh": "快递公司", "en": "Courier"},
                    "x-kind": "enum",
                    "x-enum-labels": {
                        "sf": {"zh": "顺丰速运（丰桥）", "en": "SF Express"},
                        "kuaidi100": {"zh": "快递100", "en": "Kuaidi100"},
                    },
                },
                "carrier": {
                    "type": "string",
                    "maxLength": 32,
                    "description": "With kuaidi100: yuantong, zhongtong, yunda, shentong.",
                    "x-title": {"zh": "承运商（快递100）", "en": "Carrier (Kuaidi100)"},
                    "x-kind": "text",
                },
            },
            required=("courier",),
        ),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        answer = _call(
            orders_waybills_request,
            order_ids=[order_id],
            courier=params["courier"],
            carrier=params.get("carrier", ""),
            actor=run.actor,
        )
        problem = answer["errors"].get(str(order_id))
        if problem:
            retryable = problem["code"] in ("unreachable",) or problem["code"].startswith("http_")
            cls = RetryableFailure if retryable else TerminalFailure
            raise cls(problem["code"], problem["message"])
        return {
            "order_id": order_id,
            "waybills": [{"parcel": p.number, "tracking_no": p.tracking_no} for p in answer["parcels"]],
        }

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "order": order_id_of(run), "courier": params["courier"]}


class ShipmentWaybillCancel(Action):
    external = True
    spec = ActionSpec(
        key="shipment.waybill_cancel",
        name_en="Cancel the e-waybill (before pickup)",
        name_zh="取消电子面单（揽收前）",
        description_en="Cancels each waybilled parcel's e-waybill at its courier (SF, Kuaidi100) before pickup; "
        "the parcel can then get a new one. A parcel already picked up or shipped is refused.",
        description_zh="在揽收前向快递公司取消订单各包裹的电子面单（顺丰、快递100），之后可重新申请；"
        "已揽收或已发出的包裹会被拒绝。",
        group="shipment",
        icon="x",
        params_schema=object_schema(
            {
                "reason": {
                    "type": "string",
                    "maxLength": 100,
                    "x-title": {"zh": "取消原因", "en": "Reason"},
                    "x-kind": "text",
                }
            }
        ),
    )

    def _waybilled(self, run: ActionRun) -> list[int]:
        from commerce.shipments.parcels import parcels_of_order

        return [p.pk for p in parcels_of_order(order_id=order_id_of(run)) if p.status == "waybilled"]

    def perform(self, params: dict, run: ActionRun) -> dict:
        waybilled = self._waybilled(run)
        if not waybilled:
            raise TerminalFailure("no_waybill", "the order has no parcel with a waybill to cancel")
        cancelled = [
            _call(parcel_waybill_cancel, parcel_id=parcel_id, actor=run.actor, reason=params.get("reason", "")).number
            for parcel_id in waybilled
        ]
        return {"order_id": order_id_of(run), "cancelled": cancelled}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "parcels": self._waybilled(run)}


class ShipmentWriteBack(Action):
    external = True
    spec = ActionSpec(
        key="shipment.write_back",
        name_en="Write the tracking number back to the channel",
        name_zh="回传运单号到销售渠道",
        description_en="Tells the order's sales channel (Taobao/Tmall, JD, Pinduoduo, Douyin, Shopify, the own "
        "store) the parcel's courier and tracking number; a split order's parcel is sent for its own lines where "
        "the platform takes lines. Safe to repeat.",
        description_zh="把包裹的快递公司和运单号回传给订单来源渠道（淘宝/天猫、京东、拼多多、抖店、Shopify、自有商城）；"
        "拆单的包裹在平台支持时只回传其所含商品的子订单。可重复执行。",
        group="shipment",
        icon="upload",
        params_schema=PARAMS,
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        from ..platforms.writeback import shipment_write_back

        shipment_id = _shipment_id(params, run)
        return {"shipment": shipment_id, **_call(shipment_write_back, shipment_id=shipment_id)}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "shipment": _shipment_id(params, run)}


# Registered when the connectors app is ready (``ConnectorsConfig.ready`` calls this).
def register_courier_actions() -> None:
    register(ShipmentSubscribe())
    register(ShipmentRefresh())
    register(ShipmentWaybill())
    register(ShipmentWaybillCancel())
    register(ShipmentWriteBack())
