"""The approval policy: which approvals a refund request needs, read from the version in force.

A policy document (``RefundPolicy.document``)::

    {"auto_approve_max": "50.00",   # at most this, with no special goods: approved automatically
     "supervisor_max": "200.00",    # at most this: a supervisor approves; above it, finance as well
     "special_skus": ["GIFT-TOTE"], # goods never refunded without a person's approval
     "routes": {"quality": "service", …},   # the queue each reason category goes to
     "direct_refund": <JsonLogic rule over {"customer": {...}, "refund": {...}}>}

``direct_refund`` is a JsonLogic rule — the same engine (panzi-json-logic, less ``log``) and the
same visual condition builder as flows' conditions — over the customer's record: ``months`` since
the first order, ``orders``, ``return_rate`` (refund requests that were not rejected or cancelled
/ orders) and ``disputes`` (the customer's rejected requests). A trusted customer's request is
refunded without approval. An order paid outside any gateway is refunded by finance, who records
the payment reference with the last approval (DESIGN.md, "Public contract").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from json_logic import jsonLogic
from json_logic.builtins import BUILTINS, to_bool

from core.accounts.roles import FINANCE, SUPERVISOR

from . import statuses

OPERATIONS = {name: op for name, op in BUILTINS.items() if name != "log"}

DEFAULT: dict[str, Any] = {
    "auto_approve_max": "50.00",
    "supervisor_max": "200.00",
    "special_skus": [],
    "routes": {
        statuses.WRONG_ITEM: "service",
        statuses.DAMAGED_IN_TRANSIT: "warehouse",
        statuses.QUALITY: "service",
        statuses.NO_REASON_7_DAYS: "service",
        statuses.NOT_RECEIVED: "warehouse",
        statuses.PRICE_ADJUSTMENT: "finance",
        statuses.OTHER: "service",
    },
    "direct_refund": {
        "and": [
            {">=": [{"var": "customer.months"}, 6]},
            {"<": [{"var": "customer.return_rate"}, 0.02]},
            {"==": [{"var": "customer.disputes"}, 0]},
        ]
    },
}

QUEUE_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,32}")  # a ticket queue (``commerce.tickets``)

AUTO = "auto"
DIRECT = "direct"
APPROVALS = "approvals"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # AUTO, DIRECT or APPROVALS
    approvals: tuple[str, ...]  # the roles that must approve, in order (empty unless APPROVALS)
    queue: str
    why: str


def _money(document: dict, key: str) -> Decimal:
    return Decimal(str(document.get(key, DEFAULT[key])))


def policy_problems(document: object) -> dict[str, str]:
    """What is wrong with a policy document, by field; empty when it can be saved."""
    if not isinstance(document, dict):
        return {"document": "must be an object"}
    problems: dict[str, str] = {}
    unknown = set(document) - set(DEFAULT)
    if unknown:
        problems["document"] = f"unknown fields: {', '.join(sorted(unknown))}"
    for key in ("auto_approve_max", "supervisor_max"):
        try:
            value = _money(document, key)
            if value < 0 or value != value.quantize(Decimal("0.01")) or value > Decimal("1000000000"):
                problems[key] = "an amount of at least 0, with at most 2 decimals"
        except (InvalidOperation, ValueError):
            problems[key] = "an amount of at least 0, with at most 2 decimals"
    if not problems.get("auto_approve_max") and not problems.get("supervisor_max"):
        if _money(document, "auto_approve_max") > _money(document, "supervisor_max"):
            problems["auto_approve_max"] = "must not be more than supervisor_max"
    skus = document.get("special_skus", [])
    if not isinstance(skus, list) or len(skus) > 500 or not all(isinstance(s, str) and 0 < len(s) <= 64 for s in skus):
        problems["special_skus"] = "a list of at most 500 SKUs"
    routes = document.get("routes", {})
    if not isinstance(routes, dict) or not all(
        reason in statuses.REASONS and isinstance(queue, str) and QUEUE_SLUG.fullmatch(queue) is not None
        for reason, queue in routes.items()
    ):
        problems["routes"] = (
            f"an object from reason categories ({', '.join(statuses.REASONS)}) to queue names "
            "(1 to 32 letters, digits, '-' or '_': each request opens a ticket in its queue)"
        )
    rule = document.get("direct_refund", DEFAULT["direct_refund"])
    try:
        jsonLogic(rule, _sample_facts(), OPERATIONS)
    except Exception as exc:  # a rule the engine cannot evaluate, whatever the library raises
        problems["direct_refund"] = f"not a rule the condition engine can evaluate: {exc}"
    return problems


def _sample_facts() -> dict:
    return {
        "customer": {"months": 0, "orders": 0, "return_rate": 0.0, "disputes": 0},
        "refund": {"amount": 0.0, "reason": statuses.OTHER},
    }


def policy_evaluate(
    document: dict, *, amount: Decimal, reason: str, skus: list[str], offline: bool, facts: dict
) -> Verdict:
    """The approvals a request needs under ``document``; ``facts`` feeds the ``direct_refund`` rule."""
    routes = {**DEFAULT["routes"], **document.get("routes", {})}
    queue = routes.get(reason, "service")
    special = sorted(set(skus) & set(document.get("special_skus", [])))
    auto_max, supervisor_max = _money(document, "auto_approve_max"), _money(document, "supervisor_max")
    trusted = to_bool(jsonLogic(document.get("direct_refund", DEFAULT["direct_refund"]), facts, OPERATIONS))
    if offline:
        # Money goes back by hand: finance pays it and records the reference, whatever the tier.
        approvals = (SUPERVISOR, FINANCE) if amount > auto_max or special else (FINANCE,)
        return Verdict(APPROVALS, approvals, queue, "paid outside a gateway: finance refunds it by hand")
    if special:
        approvals = (SUPERVISOR,) if amount <= supervisor_max else (SUPERVISOR, FINANCE)
        return Verdict(APPROVALS, approvals, queue, f"special goods: {', '.join(special)}")
    if trusted:
        return Verdict(DIRECT, (), queue, "a trusted customer (direct_refund)")
    if amount <= auto_max:
        return Verdict(AUTO, (), queue, f"at most {auto_max}: approved automatically")
    if amount <= supervisor_max:
        return Verdict(APPROVALS, (SUPERVISOR,), queue, f"at most {supervisor_max}: a supervisor approves")
    return Verdict(APPROVALS, (SUPERVISOR, FINANCE), queue, f"over {supervisor_max}: a supervisor and finance approve")
