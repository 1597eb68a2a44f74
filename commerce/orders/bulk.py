"""One change applied to many orders — the order board's bulk actions.

Each order is changed by the same service a single-order call uses (``services.order_tag``,
``order_untag``, ``order_hold``, ``order_release``, ``order_transition``), in its own transaction,
so each is locked, audited and announced on its own, and one order that cannot take the change
(an order that does not exist, a move the status machine forbids) leaves the others applied. The
answer says, order by order, what happened.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import Actor
from core.errors import DomainError

from . import selectors, services
from .models import Order

TAG = "tag"
UNTAG = "untag"
HOLD = "hold"
RELEASE = "release"
TRANSITION = "transition"
ACTIONS = (TAG, UNTAG, HOLD, RELEASE, TRANSITION)

MAX_ORDERS = 500

# The outcomes of an order that took the change: it changed, it was already so (a held order
# held again, a tag it had), or — for a transition — the move was stale and recorded as ignored.
APPLIED = "applied"
UNCHANGED = "unchanged"
IGNORED = "ignored"


@dataclass(frozen=True)
class BulkResult:
    order_id: int
    ok: bool
    outcome: str = ""  # when ok: APPLIED, UNCHANGED or IGNORED
    code: str = ""  # when not ok: the error code a single-order call would answer with
    message: str = ""
    details: dict | None = None

    def as_dict(self) -> dict:
        if self.ok:
            return {"id": self.order_id, "ok": True, "outcome": self.outcome}
        return {
            "id": self.order_id,
            "ok": False,
            "code": self.code,
            "message": self.message,
            "details": self.details or {},
        }


def _apply(order_id: int, action: str, *, actor: Actor, tag: str, reason: str, note: str, to: str) -> str:
    if action == TAG:
        had = selectors.order_has_tag(order_id=order_id, tag=tag.strip())
        services.order_tag(order_id=order_id, tag=tag, actor=actor)
        return UNCHANGED if had else APPLIED
    if action == UNTAG:
        had = selectors.order_has_tag(order_id=order_id, tag=tag)
        services.order_untag(order_id=order_id, tag=tag, actor=actor)
        return APPLIED if had else UNCHANGED
    if action == HOLD:
        return APPLIED if services.order_hold(order_id=order_id, reason=reason, actor=actor).changed else UNCHANGED
    if action == RELEASE:
        changed = services.order_release(order_id=order_id, note=note, actor=actor).changed
        return APPLIED if changed else UNCHANGED
    if action == TRANSITION:
        outcome = services.order_transition(order_id=order_id, to=to, reason=reason, actor=actor).outcome
        return APPLIED if outcome == "applied" else IGNORED
    raise ValueError(f"unknown bulk action {action!r}")


def orders_bulk_apply(
    *,
    order_ids: list[int],
    action: str,
    actor: Actor,
    tag: str = "",
    reason: str = "",
    note: str = "",
    to: str = "",
) -> list[BulkResult]:
    """Applies ``action`` to each order of ``order_ids`` (at most ``MAX_ORDERS``), in that order.

    Each order is its own transaction (the service's, inside a savepoint of ours so a failure
    cannot spoil a caller's transaction). A domain error is that order's result, with the code and
    message a single-order call would answer; any other error stops the run and propagates, with
    the orders before it applied. The tag's "already there" check is read before the tag service
    locks the order, so under a race a tag added by another caller may report ``applied``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    if len(order_ids) > MAX_ORDERS:
        raise ValueError(f"at most {MAX_ORDERS} orders at once")
    existing = set(Order.objects.filter(pk__in=order_ids).values_list("pk", flat=True))
    results = []
    for order_id in order_ids:
        if order_id not in existing:
            results.append(BulkResult(order_id, False, code="not_found", message=_("No such order."), details={}))
            continue
        try:
            with transaction.atomic():
                outcome = _apply(order_id, action, actor=actor, tag=tag, reason=reason, note=note, to=to)
        except DomainError as error:
            results.append(
                BulkResult(order_id, False, code=error.code, message=str(error.message), details=error.details)
            )
        else:
            results.append(BulkResult(order_id, True, outcome=outcome))
    return results
