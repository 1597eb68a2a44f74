"""Every marketplace template (``templates/<slug>/flow.json``) validates, imports, and test-runs as it is meant to.

Each template is imported through the API (``POST /api/v1/flows/``, which validates it), then its
draft is test-run (``POST /api/v1/flows/<id>/test-run/``, the runtime's dry run: conditions
evaluated, actions only previewed) on sample events made by the real services. Every template —
these and the rest — is also installed and run for real on its own fixtures in ``test_recipes.py``.
"""

import json
from pathlib import Path

import pytest

from builder.validation import validate_document
from commerce.inventory.models import StockItem
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_get
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from tests.factories import ProductFactory, StockItemFactory, create_order

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALL_SLUGS = sorted(path.parent.name for path in TEMPLATES.glob("*/flow.json"))
FLOWS = "/api/v1/flows/"


def _template(slug: str) -> dict:
    return json.loads((TEMPLATES / slug / "flow.json").read_text(encoding="utf-8"))


def _import(client, slug: str) -> dict:
    response = client.post(FLOWS, {"definition": _template(slug)}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _test_run(client, flow_id: int, event: dict) -> dict:
    response = client.post(f"{FLOWS}{flow_id}/test-run/", {"event": event}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def _outcome(run: dict) -> list[tuple]:
    """Each node's (id, status, decision), in run order."""
    return [(entry["node_id"], entry["status"], entry["decision"]) for entry in run["trace"]]


# --- the events each template is tried on ----------------------------------------------------------


def _paid_order_event(channel, *, quantity: int) -> dict:
    """The ``order.paid`` event of an order of ``quantity`` × TEA-001 at 199.00, as stored in the outbox."""
    order = create_order(channel, external_id=f"PAID-{quantity}", lines=(("TEA-001", quantity),), status="paid")
    event = OutboxEvent.objects.get(name=names.ORDER_PAID, subject_id=str(order.pk))
    return {"event_id": event.pk}


def _paid_order(channel, *, external_id: str, tags: tuple = (), short: bool = False) -> dict:
    """A scheduled run's context for one paid order: ``{"order": …}``; ``short``: its stock at safety level."""
    order = create_order(channel, external_id=external_id, lines=(("TEA-001", 2),), status="paid", tags=tags)
    # Short: the safety stock is all that was ever on hand (100), so any order leaves the row at or below it.
    StockItem.objects.filter(sku="TEA-001").update(safety_stock=100 if short else 0)
    return {"order": order_representation(order_get(order_id=order.pk))}


OVERDUE_FIRES = [
    ("escalate", "would_run", None),
    ("check", "would_run", None),
    ("short", "evaluated", False),
    ("hold", "skipped", None),
    ("wait", "would_wait", None),
    ("still_paid", "evaluated", True),
    ("remind", "would_run", None),
]
OVERDUE_SHORT = [
    ("escalate", "would_run", None),
    ("check", "would_run", None),
    ("short", "evaluated", True),
    ("hold", "would_run", None),
    ("wait", "would_wait", None),
    ("still_paid", "evaluated", True),
    ("remind", "would_run", None),
]

# slug → [(the sample event, built from the channel; the outcome it must have)]
OUTCOMES = {
    "big-order-gift": [
        (
            lambda channel: _paid_order_event(channel, quantity=4),  # 796.00
            [("big", "evaluated", True), ("gift", "would_run", None)],
        ),
        (
            lambda channel: _paid_order_event(channel, quantity=3),  # 597.00
            [("big", "evaluated", False), ("gift", "skipped", None)],
        ),
    ],
    "paid-not-processing": [
        (lambda channel: _paid_order(channel, external_id="PLAIN"), [("not_fresh", "evaluated", True), *OVERDUE_FIRES]),
        (
            lambda channel: _paid_order(channel, external_id="PLAIN-SHORT", short=True),
            [("not_fresh", "evaluated", True), *OVERDUE_SHORT],
        ),
        (
            lambda channel: _paid_order(channel, external_id="FRESH", tags=("fresh",)),
            [("not_fresh", "evaluated", False), *[(node, "skipped", None) for node, _s, _d in OVERDUE_FIRES]],
        ),
    ],
    "fresh-paid-not-processing": [
        (lambda channel: _paid_order(channel, external_id="FRESH", tags=("fresh",)), OVERDUE_FIRES),
        (lambda channel: _paid_order(channel, external_id="FRESH-SHORT", tags=("fresh",), short=True), OVERDUE_SHORT),
    ],
}


@pytest.fixture
def shop(channel, stocked):
    """TEA-001 (199.00, 100 on hand) and the gift tote (50 on hand)."""
    ProductFactory(sku="GIFT-TOTE", title="帆布袋", price="29.00")
    StockItemFactory(sku="GIFT-TOTE", warehouse=stocked.warehouse, on_hand=50)
    return channel


SLUGS = sorted(OUTCOMES)


def test_the_templates_with_dry_run_outcomes_here_exist():
    assert set(SLUGS) <= set(ALL_SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_template_is_a_valid_flow_document(slug):
    assert validate_document(_template(slug)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_the_template_imports_and_test_runs_as_it_is_meant_to(slug, shop, operator_client):
    flow = _import(operator_client, slug)
    assert (flow["valid"], flow["problems"], flow["definition"]) == (True, [], _template(slug))

    for make_event, expected in OUTCOMES[slug]:
        run = _test_run(operator_client, flow["id"], make_event(shop))

        assert _outcome(run) == expected
        assert run["fired"] is any(status in ("would_run", "would_wait") for _node, status, _d in expected)
