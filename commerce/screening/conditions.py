"""Smart-audit checks: JsonLogic over ``facts.FIELDS``, the risk rules' engine (``commerce.risk.conditions``)."""

from __future__ import annotations

import re

from commerce.risk.conditions import condition_holds, condition_problem

from .facts import PATHS

MAX_CHECKS = 50
_KEY = re.compile(r"^[a-z0-9_]{1,48}$")


def document_problems(document) -> dict[str, str]:
    """What is wrong with a rule-set document, by path; empty when it can be saved."""
    if not isinstance(document, dict) or set(document) != {"checks"} or not isinstance(document["checks"], list):
        return {"document": 'must be {"checks": [...]}'}
    checks = document["checks"]
    if not checks or len(checks) > MAX_CHECKS:
        return {"document.checks": f"1 to {MAX_CHECKS} checks"}
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for i, check in enumerate(checks):
        where = f"document.checks.{i}"
        if not isinstance(check, dict) or set(check) != {"key", "name_zh", "name_en", "condition"}:
            problems[where] = "each check has exactly key, name_zh, name_en and condition"
            continue
        if not isinstance(check["key"], str) or not _KEY.match(check["key"]) or check["key"] in seen:
            problems[f"{where}.key"] = "a unique key of lower-case letters, digits and _"
        seen.add(str(check["key"]))
        for name in ("name_zh", "name_en"):
            if not isinstance(check[name], str) or not 0 < len(check[name].strip()) <= 100:
                problems[f"{where}.{name}"] = "1 to 100 characters"
        problem = condition_problem(check["condition"], paths=PATHS)
        if problem:
            problems[f"{where}.condition"] = problem
    return problems


__all__ = ["condition_holds", "document_problems"]
