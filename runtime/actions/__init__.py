"""The actions the runtime can perform, by catalog key.

``register`` puts an action's spec into ``builder.catalog`` (so the editor and the validator know
it) and its implementation here (so the runner can perform it). The core actions are registered
by ``RuntimeConfig.ready``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from builder.catalog import register_action, registered_actions

from .base import Action, ActionRun
from .delay import Delay
from .http import HttpRequest
from .inventory import InventoryCheck, InventoryRelease
from .order import OrderCreateGift, OrderHold, OrderNote, OrderRelease, OrderTag, OrderTransition
from .parcel import OrderMerge, OrderSplit
from .refund import RefundApproveAction, RefundFilingLinkAction, RefundRejectAction, RefundRequestAction
from .work import NotifyInbox, TicketOpen, TicketUpdate

__all__ = ["Action", "ActionRun", "CORE_ACTIONS", "handler_for", "register", "register_core_actions", "registered"]

CORE_ACTIONS: tuple[Action, ...] = (
    OrderTransition(),
    OrderTag(),
    OrderNote(),
    OrderHold(),
    OrderRelease(),
    OrderCreateGift(),
    InventoryRelease(),
    InventoryCheck(),
    TicketOpen(),
    TicketUpdate(),
    NotifyInbox(),
    RefundRequestAction(),
    RefundApproveAction(),
    RefundRejectAction(),
    RefundFilingLinkAction(),
    HttpRequest(),
    Delay(),
    OrderMerge(),
    OrderSplit(),
)

_handlers: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Makes ``action`` known to the catalog and performable. Registering one key twice differently is a bug."""
    register_action(action.spec)
    _handlers[action.spec.key] = action
    return action


def register_core_actions() -> None:
    for action in CORE_ACTIONS:
        register(action)


def handler_for(key: str) -> Action | None:
    return _handlers.get(key)


@contextmanager
def registered(*actions: Action) -> Iterator[list[Action]]:
    """Registers ``actions`` (spec and implementation) for the block, then restores both exactly.

    For tests and plugins that stand in for an action or add one for a while.
    """
    replaced = {action.spec.key: _handlers.get(action.spec.key) for action in actions}
    with registered_actions(*(action.spec for action in actions)):
        for action in actions:
            _handlers[action.spec.key] = action
        try:
            yield list(actions)
        finally:
            for key, original in replaced.items():
                if original is None:
                    _handlers.pop(key, None)
                else:
                    _handlers[key] = original
