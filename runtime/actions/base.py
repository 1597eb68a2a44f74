"""What an action is to the runtime: its catalog spec, how it performs, and how it previews.

An action class has:

- ``spec``: the ``builder.catalog.ActionSpec`` (key, zh/en names, params JSON schema, group,
  icon, default retry policy, ``contacts_customer``), registered into the builder's catalog;
- ``perform(params, run)``: does the work and returns its output (a JSON object). Database
  actions (``external = False``) are called inside the runner's transaction, which also writes
  the ``ActionReceipt`` under the idempotency key ``run.key`` — the effect and the receipt commit
  together or not at all. External actions (``external = True``: the network) are called with no
  transaction open; they pass ``run.key`` to the other side (``Idempotency-Key``) and the receipt
  is written right after;
- ``preview(params, run)``: what ``perform`` would do, for test-runs and back-tests. It may read
  the database but writes nothing and calls nothing.

Failures are ``StepFailure``s: ``RetryableFailure`` (try again later) or ``TerminalFailure``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from builder.catalog import ActionSpec
from core.actors import Actor
from core.errors import DomainError

from ..errors import RetryableFailure, StepFailure, TerminalFailure


@dataclass(frozen=True)
class ActionRun:
    """Where an action runs: its execution (``None`` in a dry run), node, idempotency key, actor and context."""

    execution_id: int | None
    node_id: str
    key: str
    actor: Actor
    context: dict
    now: datetime
    attempt: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def dry(self) -> bool:
        return self.execution_id is None


class Action:
    spec: ActionSpec
    external = False
    # Parks the execution instead of completing (``delay``): the runner handles it specially.
    parks = False

    def perform(self, params: dict, run: ActionRun) -> dict:
        raise TerminalFailure("not_performable", f"{self.spec.key} cannot be performed")

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "params": params}


def order_id_of(run: ActionRun) -> int:
    """The id of the order in the context; actions on orders fail (not retried) without one."""
    order = run.context.get("order")
    order_id = order.get("id") if isinstance(order, dict) else None
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        raise TerminalFailure("no_order", "this action needs an order in the context (order.id)")
    return order_id


def step_failure(exc: DomainError, *, retryable: bool = False) -> StepFailure:
    """A commerce domain error as a step failure, with its code and details kept.

    Bad input, a missing object or a conflict with the order's state do not heal by waiting, so
    the default is terminal; callers pass ``retryable=True`` for the ones that may (short stock).
    """
    cls = RetryableFailure if retryable else TerminalFailure
    return cls(exc.code, str(exc.message), details=exc.details)


OBJECT = "object"


def object_schema(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": OBJECT, "additionalProperties": False, "required": list(required), "properties": properties}
