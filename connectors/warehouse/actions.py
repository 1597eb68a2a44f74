"""``warehouse.push_pick_list``: the flow action that sends the order's pick list to the warehouse.

External (it calls the WMS): no transaction is open, and it is safe to repeat — the warehouse
keeps one pick list per order number and answers a repeat with the list it holds.
"""

from __future__ import annotations

from builder.catalog import ActionSpec
from core.errors import DomainError
from runtime.actions import register
from runtime.actions.base import Action, ActionRun, object_schema, order_id_of, step_failure
from runtime.errors import RetryableFailure, TerminalFailure

from ..base import ProviderError
from .fulfilment import pick_list_push, warehouse_connection


class WarehousePushPickList(Action):
    external = True
    spec = ActionSpec(
        key="warehouse.push_pick_list",
        name_en="Send the pick list to the warehouse",
        name_zh="下发拣货单到仓库",
        description_en="Sends the order's lines, address and courier preference to the WMS, keyed by the order "
        "number (a repeat sends nothing new).",
        description_zh="把订单的商品、收货地址和快递偏好下发给 WMS，以订单号为幂等键（重复下发不会生成新单）。",
        group="warehouse",
        icon="package",
        params_schema=object_schema({}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        try:
            return pick_list_push(order_id=order_id_of(run))
        except ProviderError as exc:
            cls = RetryableFailure if exc.retryable else TerminalFailure
            raise cls(exc.code or "provider_error", exc.message) from None
        except DomainError as exc:
            raise step_failure(exc) from None

    def preview(self, params: dict, run: ActionRun) -> dict:
        connection = warehouse_connection()
        return {"would": self.spec.key, "order": order_id_of(run), "connection": connection.pk if connection else None}


# Registered when the connectors app is ready (``ConnectorsConfig.ready`` calls this).
def register_warehouse_actions() -> None:
    register(WarehousePushPickList())
