"""Test-runs and back-tests of a flow's draft: the real walk of the graph, with side effects suppressed.

Conditions are evaluated and params resolved exactly as in a run; actions only ``preview`` what
they would do (they may read, they write nothing and call nothing). As a second guard the whole
dry run happens in a transaction that is rolled back, so even a careless preview cannot leave a
trace; nothing is queued either.
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from builder import jsonlogic
from builder.catalog import action_spec
from builder.errors import FlowNotFound, InvalidFlow
from builder.events import event_spec
from builder.models import Flow
from builder.validation import validate_document
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_list
from commerce.outbox.models import OutboxEvent
from core.actors import Actor
from core.time import iso_utc

from . import conf, statuses
from .actions import ActionRun, handler_for
from .conditions import evaluate, rule_inputs
from .dispatch import event_context
from .errors import FlowNotRunnable, InvalidTestEvent, StepFailure, TerminalFailure
from .graph import DONE, compile_plan
from .steps import masked, params_problem
from .templating import render_params

DRY_ACTOR = Actor.system("test run", source="test-run")
_META = ("id", "type", "occurred_at")


def _draft(flow_id: int) -> dict:
    flow = Flow.objects.filter(pk=flow_id).first()
    if flow is None:
        raise FlowNotFound(details={"flow": flow_id})
    problems = validate_document(flow.draft)
    if problems:
        raise InvalidFlow(problems)
    return flow.draft


def test_context(document: dict, event: dict) -> dict:
    """The context a test event stands for: a stored outbox event (``{"event_id": n}``) or a dict
    shaped like one (``{"type": "order.paid", "order": {…}}``; for other triggers the objects of
    their context, such as ``{"order": {…}}`` or ``{"input": {…}}``)."""
    if not isinstance(event, dict):
        raise InvalidTestEvent(details={"event": "an object: {type, order: {…}} or {event_id}"})
    if "event_id" in event:
        stored = OutboxEvent.objects.filter(pk=event["event_id"]).first()
        if stored is None:
            raise InvalidTestEvent(details={"event.event_id": f"no stored event has id {event['event_id']!r}"})
        return event_context(stored)
    trigger = document["trigger"]
    default_type = trigger.get("event") if trigger["type"] == "event" else trigger["type"]
    meta = {
        "id": event.get("id", "test"),
        "type": event.get("type", default_type),
        "occurred_at": event.get("occurred_at", iso_utc(timezone.now())),
    }
    return {"event": meta, **{key: value for key, value in event.items() if key not in _META}}


def dry_run(document: dict, context: dict, *, now: datetime | None = None) -> list[dict]:
    """Each node's trace — id, kind, status, decision, resolved params, would-do output, error — in run order.

    Statuses: ``evaluated`` (a condition), ``would_run`` / ``would_wait`` (an action), ``failed``,
    ``skipped`` (not reached) and ``not_run`` (after a failure, where a real run stops).
    """
    now = now or timezone.now()
    plan = compile_plan(document)
    states: dict[str, object] = {}
    outputs: dict[str, dict] = {}
    ctx = {**context, "steps": outputs}
    trace: list[dict] = []
    stopped = False
    for node_id in plan.order:
        node = plan.nodes[node_id]
        entry = {
            "node_id": node_id,
            "kind": node["type"],
            "action": node.get("action"),
            "status": "skipped",
            "decision": None,
            "input": None,
            "output": None,
            "error": None,
        }
        trace.append(entry)
        if stopped:
            entry["status"] = "not_run"
            continue
        if not plan.reached(node_id, states):
            continue
        try:
            if node["type"] == statuses.CONDITION:
                entry["input"] = rule_inputs(node["rule"], ctx)
                decision = evaluate(node["rule"], ctx)
                entry.update(status="evaluated", decision=decision, output={"result": decision})
                states[node_id] = decision
                outputs[node_id] = {"result": decision}
                continue
            handler, spec = handler_for(node["action"]), action_spec(node["action"])
            if handler is None or spec is None:
                raise TerminalFailure("unknown_action", f"{node['action']!r} is not an action the runtime knows")
            params = render_params(node.get("params", {}), ctx)
            entry["input"] = masked(params, getattr(handler, "secret_params", ()))
            problem = params_problem(spec, params)
            if problem:
                raise TerminalFailure("invalid_param", problem)
            run = ActionRun(
                execution_id=None, node_id=node_id, key=f"test:{node_id}", actor=DRY_ACTOR, context=ctx, now=now
            )
            output = handler.preview(params, run)
            entry.update(status="would_wait" if handler.parks else "would_run", output=output)
            states[node_id] = DONE
            outputs[node_id] = output
        except StepFailure as failure:
            entry.update(status="failed", error=failure.as_dict())
            stopped = True
    return trace


def order_test_context(document: dict, text: str) -> tuple[dict, dict, list[str]]:
    """The context the trigger's event would carry for a real order, found by ``text``.

    ``text`` is what an operator has at hand: the order number, the platform's order id, the
    customer's full phone number (or part of their name); the most recent match is taken. The
    order is represented exactly as the order events carry it (``order_representation``); an
    extra the order itself tells is filled (``from``/``to`` its status, ``reason`` its cancel or
    hold reason). Answers the context, the order found ``{id, number}`` and the objects the event
    carries that an order alone cannot supply (a shipment, a refund), which the run lacks.
    """
    found = order_list(filters={"q": text}).order_by("-created_at", "-id").first()
    if found is None:
        raise InvalidTestEvent(message=_("No order has this number or phone number."), details={"order": text[:100]})
    trigger = document["trigger"]
    name = trigger.get("event") if trigger["type"] == "event" else trigger["type"]
    context: dict = {
        "event": {"id": "test", "type": name, "occurred_at": iso_utc(timezone.now())},
        "order": order_representation(found),
    }
    spec = event_spec(name) if trigger["type"] == "event" else None
    missing: list[str] = []
    if spec is not None:
        missing = [key for key in spec.objects if key != "order"]
        derived = {
            "from": found.status,
            "to": found.status,
            "reason": found.cancel_reason or found.hold_reason or "",
        }
        context.update({key: derived[key] for key in spec.extras if key in derived})
        missing += [key for key in spec.extras if key not in derived]
    return context, {"id": found.pk, "number": found.number}, missing


def flow_test_run(*, flow_id: int, event: dict | None = None, order: str | None = None) -> dict:
    """Runs the flow's draft on ``event`` — or on the real order ``order`` names — with side effects
    suppressed; see ``dry_run`` and ``order_test_context``.

    Raises ``InvalidFlow`` for a draft with problems (an invalid flow never runs, not even dry)
    and ``InvalidTestEvent`` for an unusable event or an order not found.
    """
    document = _draft(flow_id)
    found: dict | None = None
    missing: list[str] = []
    with transaction.atomic():
        if order is not None:
            context, found, missing = order_test_context(document, order)
        else:
            context = test_context(document, event if event is not None else {})
        trace = dry_run(document, context)
        transaction.set_rollback(True)
    answer = {
        "flow": flow_id,
        "context": context,
        "fired": any(entry["status"] in ("would_run", "would_wait") for entry in trace),
        "trace": trace,
    }
    if order is not None:
        answer.update(order=found, missing=missing)
    return answer


BACKTEST_EXAMPLES = 5  # example orders kept per branch of each condition


def _order_of(context: dict) -> dict | None:
    """The event's order as ``{id, number}`` (its number as the event recorded it), or None."""
    order = context.get("order")
    if not isinstance(order, dict):
        return None
    order_id = order.get("id")
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        return None
    number = order.get("number")
    return {"id": order_id, "number": number if isinstance(number, str) else None}


def _branches(by_day: dict[str, Counter], examples: dict[str, list[dict]]) -> dict:
    """A condition's yes/no split per day (the operators' days) and a few example orders per branch:
    ``example_orders`` as ``{id, number}``, ``examples`` their ids alone (the older form, kept)."""
    return {
        "by_day": [{"day": day, "true": c["true"], "false": c["false"]} for day, c in sorted(by_day.items())],
        "examples": {branch: [o["id"] for o in examples[branch]] for branch in ("true", "false")},
        "example_orders": {branch: [dict(o) for o in examples[branch]] for branch in ("true", "false")},
    }


def flow_back_test(*, flow_id: int, days: int) -> dict:
    """Runs the draft, dry, over the stored outbox events of its trigger's event from the last ``days`` days.

    At most ``ORDERFLOW_BACKTEST_CAP`` events (the most recent; ``capped`` says when there were
    more). Answers how often the flow would have fired (in all and per day, in the operators' time
    zone) and, per node, how often it was reached, decided true/false, would have acted, or failed —
    for a condition also its yes/no split per day and up to ``BACKTEST_EXAMPLES`` example orders per
    branch (``{id, number}``); and how often each action would have run. Each event's rules read its
    ``occurred_at`` as now (``minutes_since``: how old a time was when the event happened).
    """
    document = _draft(flow_id)
    trigger = document["trigger"]
    if trigger["type"] != "event":
        raise FlowNotRunnable(
            message="A back-test replays stored events; this flow's trigger is not an event.",
            details={"trigger": trigger["type"]},
        )
    cap = conf.get("ORDERFLOW_BACKTEST_CAP")
    since = timezone.now() - timedelta(days=days)
    events = OutboxEvent.objects.filter(name=trigger["event"], occurred_at__gte=since)
    available = events.count()
    nodes: dict[str, Counter] = defaultdict(Counter)
    actions: Counter = Counter()
    errors: list[dict] = []
    fired = 0
    seen = 0
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    days_seen: dict[str, Counter] = defaultdict(Counter)  # day → events, fired
    branch_days: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))  # node → day → yes/no
    examples: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {"true": [], "false": []})
    with transaction.atomic():
        for event in events.order_by("-id")[:cap].iterator(chunk_size=500):
            seen += 1
            context = event_context(event)
            day = timezone.localtime(event.occurred_at, zone).date().isoformat()
            order = _order_of(context)
            with jsonlogic.clock(event.occurred_at):  # "older than N minutes" as at the event
                trace = dry_run(document, context)
            acted = False
            days_seen[day]["events"] += 1
            for entry in trace:
                counts = nodes[entry["node_id"]]
                if entry["status"] in ("skipped", "not_run"):
                    continue
                counts["reached"] += 1
                if entry["status"] == "evaluated":
                    branch = "true" if entry["decision"] else "false"
                    counts[branch] += 1
                    branch_days[entry["node_id"]][day][branch] += 1
                    kept = examples[entry["node_id"]][branch]
                    if order is not None and len(kept) < BACKTEST_EXAMPLES:
                        if all(o["id"] != order["id"] for o in kept):
                            kept.append(order)
                elif entry["status"] == "failed":
                    counts["errors"] += 1
                    if len(errors) < 20:
                        errors.append({"event": event.pk, "node_id": entry["node_id"], "error": entry["error"]})
                else:
                    counts["would_run"] += 1
                    actions[entry["action"]] += 1
                    acted = True
            fired += acted
            days_seen[day]["fired"] += acted
        transaction.set_rollback(True)
    kinds = {node["id"]: node["type"] for node in document["nodes"]}
    return {
        "flow": flow_id,
        "event": trigger["event"],
        "days": days,
        "cap": cap,
        "capped": available > cap,
        "events": seen,
        "fired": fired,
        "fire_rate": round(fired / seen, 4) if seen else 0.0,
        "nodes": {
            node_id: {
                "kind": kind,
                "reached": nodes[node_id]["reached"],
                "true": nodes[node_id]["true"],
                "false": nodes[node_id]["false"],
                "would_run": nodes[node_id]["would_run"],
                "errors": nodes[node_id]["errors"],
                **(_branches(branch_days[node_id], examples[node_id]) if kind == statuses.CONDITION else {}),
            }
            for node_id, kind in kinds.items()
        },
        "by_day": [
            {"day": day, "events": counts["events"], "fired": counts["fired"]}
            for day, counts in sorted(days_seen.items())
        ],
        "actions": dict(sorted(actions.items())),
        "errors": errors,
    }
