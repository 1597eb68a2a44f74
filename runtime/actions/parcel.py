"""``order.merge`` and ``order.split``: box the order in the context (合单 / 拆单) from a flow.

Both run inside the runner's transaction (no network) and are idempotent: an order already in a
merged parcel answers that parcel, an order already split answers its parcels.
"""

from builder.catalog import ActionSpec
from commerce.shipments import parcels
from core.errors import DomainError

from .base import Action, ActionRun, object_schema, order_id_of, step_failure

_PARCELS = {
    "order_id": {"type": "integer"},
    "parcels": {"type": "array", "items": {"type": "string"}, "description": "The parcels' numbers."},
}


def _numbers(found) -> list[str]:
    return [parcel.number for parcel in found]


class OrderMerge(Action):
    spec = ActionSpec(
        key="order.merge",
        name_en="Merge with the buyer's other orders",
        name_zh="合并同一买家的订单（合单）",
        description_en="Ships the order in one parcel with the other unshipped orders of the same buyer and address "
        "(any channel). Each order keeps its own amounts, status and tracking-number write-back.",
        description_zh="把订单与同一买家、同一地址的其他未发货订单（可跨渠道）合并为一个包裹发货；"
        "每个订单的金额、状态和运单号回传保持各自独立。",
        group="order",
        icon="merge",
        params_schema=object_schema({}),
        output_schema=object_schema({**_PARCELS, "merged": {"type": "boolean"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        held = [p for p in parcels.parcels_of_order(order_id=order_id) if p.kind == parcels.KIND_MERGED]
        if held:
            return {"order_id": order_id, "parcels": _numbers(held), "merged": True}
        try:
            group = parcels.merge_suggestions(order_id=order_id, limit=1)
            if not group:
                return {"order_id": order_id, "parcels": [], "merged": False}
            parcel = parcels.orders_merge(order_ids=[o["id"] for o in group[0]["orders"]], actor=run.actor)
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"order_id": order_id, "parcels": [parcel.number], "merged": True}

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        group = parcels.merge_suggestions(order_id=order_id, limit=1)
        return {"order_id": order_id, "would_merge": [o["number"] for o in group[0]["orders"]] if group else []}


class OrderSplit(Action):
    spec = ActionSpec(
        key="order.split",
        name_en="Split the order into parcels",
        name_zh="拆分订单为多个包裹（拆单）",
        description_en="By warehouse (one parcel per warehouse holding its stock) or by availability (in stock now, "
        "presale SKUs later). Each parcel gets its own waybill; the order is shipped when its last parcel leaves.",
        description_zh="按仓库（每个有货仓库一个包裹）或按库存情况（现货先发，预售商品后发）拆分；"
        "每个包裹单独面单，最后一个包裹发出时订单才置为已发货。",
        group="order",
        icon="split",
        params_schema=object_schema(
            {
                "by": {
                    "type": "string",
                    "enum": list(parcels.SPLIT_BY),
                    "x-title": {"zh": "拆分方式", "en": "Split by"},
                    "x-kind": "enum",
                    "x-enum-labels": {
                        parcels.BY_WAREHOUSE: {"zh": "按仓库", "en": "By warehouse"},
                        parcels.BY_AVAILABILITY: {"zh": "按库存（预售后发）", "en": "By availability (presale later)"},
                    },
                },
                "later_skus": {
                    "type": "array",
                    "items": {"type": "string", "maxLength": 64},
                    "maxItems": 200,
                    "x-title": {"zh": "后发的 SKU（预售）", "en": "SKUs sent later (presale)"},
                    "x-kind": "list",
                },
            },
            required=("by",),
        ),
        output_schema=object_schema(_PARCELS),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        held = [p for p in parcels.parcels_of_order(order_id=order_id) if p.kind == parcels.KIND_SPLIT]
        if held:
            return {"order_id": order_id, "parcels": _numbers(held)}
        try:
            made = parcels.order_split(
                order_id=order_id, by=params["by"], later_skus=params.get("later_skus") or (), actor=run.actor
            )
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"order_id": order_id, "parcels": _numbers(made)}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"order_id": order_id_of(run), "would_split_by": params["by"]}
