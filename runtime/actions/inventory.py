"""Actions on the order's stock: release its active reservations; check whether its stock is short."""

from builder.catalog import ActionSpec
from commerce.inventory import selectors as stock
from commerce.inventory import services as inventory

from .base import Action, ActionRun, object_schema, order_id_of
from .order import order_service

_RELEASED = {
    "type": "array",
    "items": object_schema(
        {"reservation_id": {"type": "integer"}, "sku": {"type": "string"}, "quantity": {"type": "integer"}}
    ),
}


class InventoryRelease(Action):
    """Returns the order's *active* (reserved, unpaid) stock to available; the order itself is untouched.

    This is not cancelling the order (``order.transition`` to ``cancelled`` does that and releases
    stock as part of it): it calls ``order_reservations_release``, which releases under the
    order's row lock. Releasing again finds nothing active and releases nothing.
    """

    spec = ActionSpec(
        key="inventory.release",
        name_en="Release reserved stock",
        name_zh="释放预占库存",
        description_en="Returns the order's reserved (unpaid) stock to available.",
        description_zh="将订单已预占（未支付）的库存释放回可用库存。",
        group="inventory",
        icon="package-open",
        params_schema=object_schema({}),
        output_schema=object_schema({"order_id": {"type": "integer"}, "released": _RELEASED}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        released = order_service(
            inventory.order_reservations_release,
            order_id=order_id,
            actor=run.actor,
            reason=f"released by {run.actor.label}",
        )
        return {
            "order_id": order_id,
            "released": [{"reservation_id": r.reservation_id, "sku": r.sku, "quantity": r.quantity} for r in released],
        }

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        return {
            "order_id": order_id,
            "released": [
                {"reservation_id": pk, "sku": sku, "quantity": quantity}
                for pk, sku, quantity in stock.order_active_reservations(order_id=order_id)
            ],
        }


_STOCK_LINE = object_schema(
    {
        "sku": {"type": "string"},
        "warehouse": {"type": "string"},
        "on_hand": {"type": "integer"},
        "reserved": {"type": "integer"},
        "available": {"type": "integer"},
        "safety_stock": {"type": "integer"},
        "low_stock": {"type": "boolean"},
    }
)


class InventoryCheck(Action):
    """Reads the stock rows the order's lines are served from; ``short`` when any is at or below
    its safety stock. Changes nothing, so it needs no receipt to be safe — it gets one anyway, so
    a resumed run sees the numbers the first run decided on."""

    spec = ActionSpec(
        key="inventory.check",
        name_en="Check the order's stock",
        name_zh="检查订单库存",
        description_en="Reads the stock of the order's lines; 'short' when any is at or below safety stock.",
        description_zh="读取订单各行商品的库存；任一商品不高于安全库存时 short 为真。",
        group="inventory",
        icon="boxes",
        params_schema=object_schema({}),
        output_schema=object_schema(
            {
                "order_id": {"type": "integer"},
                "short": {"type": "boolean"},
                "lines": {"type": "array", "items": _STOCK_LINE},
            }
        ),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        lines = [
            {key: value for key, value in inventory.stock_representation(row).items() if key != "id"}
            for row in stock.order_stock_rows(order_id=order_id)
        ]
        return {"order_id": order_id, "short": any(line["low_stock"] for line in lines), "lines": lines}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return self.perform(params, run)
