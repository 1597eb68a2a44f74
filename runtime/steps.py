"""The step runner: walks a claimed execution's graph node by node, and finishes or parks it.

Transactions, per run:

1. the **claim** (``runtime.claim``; one statement on PostgreSQL) — lock the execution row
   (``FOR UPDATE SKIP LOCKED``), check it is due, that no earlier execution of its subject is
   unfinished, that the kill switch is off and that its flow has a free concurrency slot; mark it
   ``running`` under a lease. It commits before the run begins: the slot is a counter in the
   flow's one ``FlowSlot`` row, and taken inside the run's transaction it would keep that row
   locked until the run commits — every run of the flow would wait for the one before it. The
   lease is what keeps other runners off from then on, and what hands the run over when its
   runner dies;
2. one per **action** — the action's database effects, its ``ActionReceipt`` (unique key
   ``<execution id>:<node id>``) and its step record (with the records of the conditions decided
   since the last action) commit together. A runner killed before the commit leaves nothing
   behind; one killed after it left the receipt, and the resumed run skips the node. Network
   actions run with no transaction open; their receipt follows right after;
3. the **finish** (or park: ``waiting``, ``retrying``, back to ``pending``) — the status, the
   slot given back, and the next executions of the subject queued on commit.

**A run of database actions only** (no network action, no ``delay``; the common case) makes
2 and 3 one transaction: every action's effects, every receipt and step record and the finish
commit together, or none does. Its locks: the commerce rows its actions take (an order it
changes twice is locked once: ``order_changes_locked_once``), then its execution row (the
finish, conditional on the lease) and its flow's slot row last — held from the slot's release
to the commit only. Should any step fail or the run have to stop midway (the kill
switch, a rate limit), that transaction is rolled back — nothing of it happened — and the run is
walked again the step-by-step way above, which records the failure as it always has.

Conditions are pure, so they are not committed on their own: their records ride along with the
next write. A resumed run rebuilds its state from the step records and takes the same path.
"""

import time
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator

from builder.catalog import action_spec
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_find
from commerce.orders.services import order_changes_locked_once
from core.actors import FLOW_EXECUTION, Actor
from core.time import iso_utc

from . import conf, guards, statuses
from .actions import ActionRun, handler_for
from .conditions import evaluate, rule_inputs
from .errors import RateLimited, RetryableFailure, StepFailure, TerminalFailure
from .graph import DONE, plan_for_version
from .models import ActionReceipt, Execution, ExecutionStep
from .persistence import (
    execution_let_go,
    execution_set,
    flow_version_summary,
    idempotency_key,
    records_insert,
    wake_successors,
)
from .queue import resume_wake_up, runs_enqueue_on_commit
from .templating import render_params

SECRET_MASK = "********"
LOST = "lost"


def execution_actor(execution: Execution, version) -> Actor:
    """Who the audit trail says made a flow's changes: the execution, from ``flow:<id>``."""
    label = f"{version.flow.name[:120]} v{version.number}"
    return Actor(kind=FLOW_EXECUTION, id=str(execution.pk), label=label, source=f"flow:{execution.flow_id}")


def masked(params: dict, secret_params: tuple[str, ...]) -> dict:
    """``params`` with secrets replaced by a mask, for step records and traces."""
    if not secret_params:
        return params
    return {key: SECRET_MASK if key in secret_params and value else value for key, value in params.items()}


# id(spec) → (spec, its validator); holding the spec keeps its id from being reused by another.
_validators: dict[int, tuple[object, Draft202012Validator]] = {}


def params_problem(spec, params: dict) -> str | None:
    """Why the rendered ``params`` do not fit the action's schema (a rendered value may not), or ``None``."""
    cached = _validators.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = _validators[id(spec)] = (spec, Draft202012Validator(spec.params_schema))
    validator = cached[1]
    error = next(iter(validator.iter_errors(params)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "params"
    return f"{where}: {error.message}"


def backoff_seconds(retry: dict, failed_attempts: int) -> int:
    """Exponential: ``backoff_seconds × 2^(n-1)`` after the n-th failed attempt."""
    return retry["backoff_seconds"] * 2 ** (failed_attempts - 1)


# --- the run --------------------------------------------------------------------------------


class _Lost(Exception):
    """Another runner owns the execution now; this one stops without writing."""


class _StepByStep(Exception):
    """A run in one transaction cannot end there (a step failed, or the run must stop midway):
    the transaction is rolled back and the run walked again one action at a time."""

    def __init__(self, failed: "tuple[str, dict, Exception, datetime, float] | None" = None):
        super().__init__()
        # The action that failed — node id, its params, what it raised, when it started — so the
        # step-by-step walk records that attempt instead of performing the action a second time.
        self.failed = failed


class Runner:
    """Walks one claimed execution (``owner`` holds its lease) as far as it can go now; ``run`` answers its status."""

    def __init__(self, execution: Execution, owner: str, now: datetime):
        self.execution = execution
        self.owner = owner
        self.now = now
        version = flow_version_summary(execution.flow_version_id, execution.version_checksum)
        self.plan = plan_for_version(version)
        self.actor = execution_actor(execution, version)
        self.unsaved: list[ExecutionStep] = []
        self.states: dict[str, object] = {}
        self.outputs: dict[str, Any] = {}
        self.attempts: dict[str, int] = {}
        self.waiting: dict[str, ExecutionStep] = {}
        # Set while the whole run is one transaction: the receipts and step records of the
        # actions so far, written with the finish.
        self.together: tuple[list, list] | None = None
        self.failed_together: tuple[str, dict, Exception, datetime, float] | None = None
        # A first run has no steps yet; a resumed or replayed one rebuilds its state from them.
        steps = [] if execution.first_run else ExecutionStep.objects.filter(execution=execution).order_by("id")
        for step in steps:
            self.attempts[step.node_id] = max(self.attempts.get(step.node_id, 0), step.attempt)
            if step.status == statuses.STEP_SUCCEEDED:
                self.states[step.node_id] = step.decision if step.kind == statuses.CONDITION else DONE
                self.outputs[step.node_id] = step.output
            elif step.status == statuses.STEP_WAITING:
                self.waiting[step.node_id] = step
        self.context = {**execution.context, "steps": self.outputs}

    def run(self) -> str:
        try:
            if self._database_only():
                status = self._walk_in_one_transaction()
                if status is not None:
                    return status
            return self._walk()
        except _Lost:
            return LOST

    def _database_only(self) -> bool:
        """Whether this is a fresh run whose every action only writes to the database."""
        if not self.execution.first_run:
            return False
        for node in self.plan.nodes.values():
            if node["type"] == statuses.ACTION:
                handler = handler_for(node.get("action", ""))
                if handler is None or handler.external or handler.parks:
                    return False
        return True

    def _walk_in_one_transaction(self) -> str | None:
        """Walks the whole run in one transaction; ``None`` when it had to be rolled back (``_StepByStep``)."""
        lease_until = self.execution.lease_until
        self.together = ([], [])
        try:
            # An order the run changes twice (a tag, then a note) is locked once: the block ends
            # with the transaction, which any error rolls back whole.
            with transaction.atomic(), order_changes_locked_once():
                return self._walk()
        except (_StepByStep, IntegrityError) as stop:
            self.failed_together = getattr(stop, "failed", None)
            self.states.clear()
            self.outputs.clear()
            self.unsaved = []
            self.execution.lease_until = lease_until
            return None
        finally:
            self.together = None

    def _walk(self) -> str:
        for node_id in self.plan.order:
            if node_id in self.states or not self.plan.reached(node_id, self.states):
                continue
            node = self.plan.nodes[node_id]
            if node["type"] == statuses.CONDITION:
                parked = self.condition(node)
            else:
                parked = self.action(node, last=self._last(node_id))
            if parked is not None:
                return parked
        if self.together is None:
            return self.finish()
        receipts, steps = self.together
        unsaved, self.unsaved = self.unsaved, []
        return self.finish((receipts, [*steps, *unsaved]))

    def _last(self, node_id: str) -> bool:
        """Whether no node after ``node_id`` would run were it to succeed (then the run finishes with it)."""
        states = {**self.states, node_id: DONE}
        position = self.plan.order.index(node_id)
        return not any(
            later not in states and self.plan.reached(later, states) for later in self.plan.order[position + 1 :]
        )

    # -- writing

    def _step(self, node: dict, **fields) -> ExecutionStep:
        return ExecutionStep(
            execution_id=self.execution.pk,
            node_id=node["id"],
            kind=node["type"],
            action=node.get("action", ""),
            **fields,
        )

    def _flush(self, *steps: ExecutionStep) -> None:
        """Writes the unsaved condition records and ``steps``; a duplicate means another runner has them."""
        try:
            with transaction.atomic(savepoint=False):
                records_insert([*self.unsaved, *steps])
        except IntegrityError:
            raise _Lost from None
        self.unsaved = []

    def _update(self, **fields) -> None:
        """Updates the execution only while this runner owns it; otherwise the run is lost."""
        if not execution_set(self.execution.pk, fields, owner=self.owner):
            raise _Lost

    def _renew_lease(self) -> None:
        lease = timedelta(seconds=conf.get("ORDERFLOW_EXECUTION_LEASE_SECONDS"))
        now = max(self.now, timezone.now())
        if self.execution.lease_until is None or self.execution.lease_until - now < lease / 2:
            self.execution.lease_until = now + lease
            self._update(lease_until=self.execution.lease_until)

    def _leave(self, status: str, rows: tuple[list, ...] = (), **fields) -> str:
        """Ends this runner's hold: status, lease cleared, slot returned; who may run next is woken after commit.

        ``rows`` — a finishing action's receipt and step records — are written with the status.
        """
        execution = self.execution
        with transaction.atomic(savepoint=False):
            self._flush()
            fields = {"status": status, "lease_owner": "", "lease_until": None, "holds_slot": False, **fields}
            if execution.holds_slot:
                starved = execution_let_go(execution, fields, owner=self.owner, rows=rows)
                if starved is None:
                    raise _Lost
            else:
                records_insert(*rows)
                self._update(**fields)
                starved = True
            hands_on = status not in statuses.BLOCKING and bool(execution.subject_key)
            transaction.on_commit(lambda: wake_successors(execution, subject=hands_on, starved=starved))
            resume_at = fields.get("resume_at")
            if status in (statuses.RETRYING, statuses.WAITING) and resume_at is not None:
                if resume_at <= self.now:
                    runs_enqueue_on_commit([execution.pk])
                else:
                    resume_wake_up(execution.pk, resume_at, now=max(self.now, timezone.now()))
        execution.status = status
        return status

    def finish(self, rows: tuple[list, ...] = ()) -> str:
        return self._leave(
            statuses.SUCCEEDED, rows, finished_at=max(self.now, timezone.now()), current_node="", status_reason=""
        )

    # -- conditions

    def condition(self, node: dict) -> str | None:
        started_at, started = timezone.now(), time.monotonic()
        data = rule_inputs(node["rule"], self.context)
        try:
            decision = evaluate(node["rule"], self.context)
        except StepFailure as failure:
            return self.fail(
                node,
                attempt=self.attempts.get(node["id"], 0) + 1,
                data=data,
                failure=failure,
                started_at=started_at,
                started=started,
            )
        output = {"result": decision}
        self.unsaved.append(
            self._step(
                node,
                attempt=self.attempts.get(node["id"], 0) + 1,
                status=statuses.STEP_SUCCEEDED,
                input=data,
                output=output,
                decision=decision,
                started_at=started_at,
                duration_ms=_ms(started),
            )
        )
        self.states[node["id"]] = decision
        self.outputs[node["id"]] = output
        return None

    # -- actions

    def action(self, node: dict, *, last: bool = False) -> str | None:
        """Runs one action node; answers the execution's status when the run stops or ends here, else ``None``.

        A database action that is the run's ``last`` node finishes the execution in its own
        transaction (one commit fewer); a finish that finds the lease lost rolls the action back.
        In a run that is one transaction, a failure or a stop raises ``_StepByStep`` instead.
        """
        node_id = node["id"]
        handler, spec = handler_for(node["action"]), action_spec(node["action"])
        attempt = self.attempts.get(node_id, 0) + 1
        started_at, started = timezone.now(), time.monotonic()
        if handler is None or spec is None:
            failure = TerminalFailure("unknown_action", f"{node['action']!r} is not an action the runtime knows")
            return self.fail(node, attempt=attempt, data={}, failure=failure, started_at=started_at, started=started)
        if guards.kill_switch_engaged(max_age=conf.get("ORDERFLOW_KILL_SWITCH_RECHECK_SECONDS")):
            if self.together is not None:
                raise _StepByStep
            return self._leave(statuses.PENDING, current_node=node_id, status_reason="kill switch engaged")
        if handler.parks and node_id in self.waiting:
            self.resume_from_wait(node)
            return None
        if self.failed_together is not None and self.failed_together[0] == node_id:
            _node_id, data, exc, started_at, started = self.failed_together
            self.failed_together = None
            return self._action_failed(
                node, attempt, data, idempotency_key(self.execution.pk, node_id), exc, started_at, started
            )
        run = ActionRun(
            execution_id=self.execution.pk,
            node_id=node_id,
            key=idempotency_key(self.execution.pk, node_id),
            actor=self.actor,
            context=self.context,
            now=max(self.now, timezone.now()),
            attempt=attempt,
        )
        secrets = getattr(handler, "secret_params", ())
        params: dict = {}
        try:
            params = render_params(node.get("params", {}), self.context)
            problem = params_problem(spec, params)
            if problem:
                raise TerminalFailure("invalid_param", problem)
            if handler.parks:
                return self.park(node, handler, params, run, started_at)
            if handler.external:
                if spec.contacts_customer:
                    with transaction.atomic():
                        guards.contact_take(flow_id=self.execution.flow_id, now=run.now)
                output = handler.perform(params, run)
                self.succeed(node, attempt, masked(params, secrets), output, started_at, started)
            else:
                with transaction.atomic(savepoint=self.together is None):
                    if spec.contacts_customer:
                        guards.contact_take(flow_id=self.execution.flow_id, now=run.now)
                    output = handler.perform(params, run)
                    if last:
                        return self.succeed_and_finish(
                            node, attempt, masked(params, secrets), output, started_at, started
                        )
                    self.succeed(node, attempt, masked(params, secrets), output, started_at, started)
            self.unsaved = []
        except _Lost:
            raise
        except Exception as exc:
            data = masked(params, secrets)
            if self.together is not None:
                raise _StepByStep((node_id, data, exc, started_at, started)) from exc
            return self._action_failed(node, attempt, data, run.key, exc, started_at, started)
        self.states[node_id] = DONE
        self.outputs[node_id] = output
        return None

    def _action_failed(self, node: dict, attempt: int, data: dict, key: str, exc: Exception, started_at, started):
        """What becomes of an action that raised ``exc``: a rate limit waits for the next minute, a
        duplicate receipt means another runner has the execution, anything else is a failed attempt."""
        if isinstance(exc, RateLimited):
            return self._leave(
                statuses.RETRYING,
                resume_at=exc.resume_at,
                current_node=node["id"],
                status_reason="customer-contact rate limit reached; waiting for the next minute",
            )
        if isinstance(exc, StepFailure):
            failure = exc
        elif isinstance(exc, IntegrityError) and ActionReceipt.objects.filter(key=key).exists():
            raise _Lost from None
        else:  # a bug or an outage in the action: retried, and recorded for the operator
            failure = RetryableFailure("internal_error", f"{type(exc).__name__}: {exc}")
        return self.fail(node, attempt=attempt, data=data, failure=failure, started_at=started_at, started=started)

    def _success_rows(self, node: dict, attempt: int, params: dict, output: dict, started_at, started: float):
        """The action's receipt, and the step records: the conditions decided since the last action, then its own."""
        receipt = ActionReceipt(
            key=idempotency_key(self.execution.pk, node["id"]),
            execution_id=self.execution.pk,
            node_id=node["id"],
            action=node["action"],
            output=output,
        )
        step = self._step(
            node,
            attempt=attempt,
            status=statuses.STEP_SUCCEEDED,
            input=params,
            output=output,
            started_at=started_at,
            duration_ms=_ms(started),
        )
        return [receipt], [*self.unsaved, step]

    def succeed(self, node: dict, attempt: int, params: dict, output: dict, started_at, started: float) -> None:
        """The receipt and the step records, in the caller's transaction (the action's own, for database
        actions) — or, when the run is one transaction, kept to go out with the finish."""
        receipts, steps = self._success_rows(node, attempt, params, output, started_at, started)
        with transaction.atomic(savepoint=False):
            if self.together is None:
                records_insert(receipts, steps)
            else:
                self.together[0].extend(receipts)
                self.together[1].extend(steps)
            self._renew_lease()

    def succeed_and_finish(self, node: dict, attempt: int, params: dict, output: dict, started_at, started) -> str:
        """``succeed`` and ``finish`` for the run's last database action, in its transaction: the
        receipt and step records go out with the finish."""
        receipts, steps = self._success_rows(node, attempt, params, output, started_at, started)
        rows = (receipts, steps) if self.together is None else (self.together[0] + receipts, self.together[1] + steps)
        unsaved, self.unsaved = self.unsaved, []
        try:
            status = self.finish(rows)
        except BaseException:
            self.unsaved = unsaved  # not written: the failure's record still needs them
            raise
        self.states[node["id"]] = DONE
        self.outputs[node["id"]] = output
        return status

    def park(self, node: dict, handler, params: dict, run: ActionRun, started_at) -> str:
        """A ``delay``: record the wait and leave the execution ``waiting`` until ``resume_at``."""
        resume_at = handler.resume_at(params, run)
        output = {"resume_at": iso_utc(resume_at), "minutes": params["minutes"]}
        with transaction.atomic():
            self._flush(
                self._step(
                    node,
                    attempt=run.attempt,
                    status=statuses.STEP_WAITING,
                    input=params,
                    output=output,
                    started_at=started_at,
                )
            )
            return self._leave(statuses.WAITING, resume_at=resume_at, current_node=node["id"], status_reason="")

    def resume_from_wait(self, node: dict) -> None:
        """The wait is over: the delay's step succeeds, and the context's order is read again."""
        step = self.waiting[node["id"]]
        context = self.execution.context
        order_id = context.get("order", {}).get("id") if isinstance(context.get("order"), dict) else None
        with transaction.atomic():
            waited_ms = int((max(self.now, timezone.now()) - step.started_at).total_seconds() * 1000)
            done = ExecutionStep.objects.filter(pk=step.pk, status=statuses.STEP_WAITING).update(
                status=statuses.STEP_SUCCEEDED, duration_ms=max(waited_ms, 0)
            )
            if not done:
                raise _Lost
            if order_id is not None:
                order = order_find(order_id=order_id)
                if order is not None:
                    context = {**context, "order": order_representation(order)}
                    self._update(context=context)
            self._renew_lease()
        self.execution.context = context
        self.context = {**context, "steps": self.outputs}
        self.states[node["id"]] = DONE
        self.outputs[node["id"]] = step.output

    def fail(self, node: dict, *, attempt: int, data: dict, failure: StepFailure, started_at, started: float) -> str:
        """Records the failed attempt; the execution retries after its backoff, or is dead."""
        if self.together is not None:
            raise _StepByStep  # rolled back; the step-by-step walk records the attempt
        execution = self.execution
        spec = action_spec(node.get("action", "")) if node["type"] == statuses.ACTION else None
        retry = node.get("retry") or (
            spec.default_retry if spec is not None else {"max_attempts": 1, "backoff_seconds": 0}
        )
        floor = execution.retry_floor if execution.current_node == node["id"] else 0
        used = attempt - floor
        step = self._step(
            node,
            attempt=attempt,
            status=statuses.STEP_FAILED,
            input=data,
            error=failure.as_dict(),
            started_at=started_at,
            duration_ms=_ms(started),
        )
        with transaction.atomic():
            self._flush(step)
            if failure.retryable and used < retry["max_attempts"]:
                resume_at = max(self.now, timezone.now()) + timedelta(seconds=backoff_seconds(retry, used))
                return self._leave(
                    statuses.RETRYING,
                    resume_at=resume_at,
                    current_node=node["id"],
                    status_reason=f"{node['id']}: {failure.message} (attempt {used} of {retry['max_attempts']})",
                )
            return self._leave(
                statuses.DEAD,
                finished_at=max(self.now, timezone.now()),
                current_node=node["id"],
                status_reason=f"{node['id']}: {failure.message}",
            )


def _ms(started: float) -> int:
    return max(int((time.monotonic() - started) * 1000), 0)
