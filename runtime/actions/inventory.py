"""Actions on the order's stock: release its active reservations; check whether its stock is short."""

from django.db import transaction

from builder.catalog import ActionSpec
from commerce.inventory import services as inventory
from commerce.inventory.models import Reservation
from commerce.orders.lock_objects import order_lock

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
    stock as part of it): it takes the order's row lock — the lock every reservation change of
    the order is made under — and calls ``reservations_release``. Releasing again finds nothing
    active and releases nothing.
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
        with transaction.atomic():
            order_service(order_lock, order_id=order_id)
            released = inventory.reservations_release(
                order_id=order_id, actor=run.actor, reason=f"released by {run.actor.label}"
            )
            skus = dict(
                Reservation.objects.filter(pk__in=[r.pk for r in released]).values_list("pk", "stock_item__sku")
            )
        return {
            "order_id": order_id,
            "released": [{"reservation_id": r.pk, "sku": skus[r.pk], "quantity": r.quantity} for r in released],
        }

    def preview(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        active = Reservation.objects.filter(order_id=order_id, state=Reservation.ACTIVE).order_by("id")
        return {
            "order_id": order_id,
            "released": [
                {"reservation_id": pk, "sku": sku, "quantity": quantity}
                for pk, sku, quantity in active.values_list("pk", "stock_item__sku", "quantity")
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
        rows = {
            r.stock_item_id: r.stock_item
            for r in Reservation.objects.filter(order_id=order_id).select_related("stock_item__warehouse")
        }
        lines = [
            {key: value for key, value in inventory.stock_representation(row).items() if key != "id"}
            for _pk, row in sorted(rows.items())
        ]
        return {"order_id": order_id, "short": any(line["low_stock"] for line in lines), "lines": lines}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return self.perform(params, run)
