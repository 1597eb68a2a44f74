"""Helpers for the runtime tests: flows from documents, the marketplace templates, a sync queue."""

import copy
import json
from pathlib import Path

import pytest

from builder import services as flow_services
from builder.models import Flow
from tests.factories import ProductFactory, StockItemFactory, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def load_template(slug: str) -> dict:
    """A flow document from the marketplace folder, ``templates/<slug>/flow.json``."""
    return json.loads((TEMPLATES / slug / "flow.json").read_text())


def publish(document: dict, *, enabled: bool = True) -> Flow:
    """Creates a flow with ``document`` as its draft, publishes it and (by default) enables it."""
    owner = make_user("flow-owner", "operator")
    flow = flow_services.flow_create(owner=owner, definition=copy.deepcopy(document))
    flow_services.flow_publish(flow_id=flow.pk, user=owner)
    if enabled:
        flow_services.flow_set_enabled(flow_id=flow.pk, enabled=True)
    flow.refresh_from_db()
    return flow


def event_flow(event: str, nodes: list[dict], edges: list[tuple] | None = None, name: str = "Test flow") -> dict:
    """A document with an event trigger; ``edges`` default to a chain trigger → node 1 → node 2 …"""
    if edges is None:
        ids = ["trigger"] + [n["id"] for n in nodes]
        edges = list(zip(ids, ids[1:], strict=False))
    return {
        "format": "orderflow.flow/v1",
        "name": name,
        "trigger": {"type": "event", "event": event},
        "nodes": nodes,
        "edges": [{"from": e[0], "to": e[1], **({"branch": e[2]} if len(e) > 2 else {})} for e in edges],
    }


def action(node_id: str, key: str, params: dict | None = None, retry: dict | None = None) -> dict:
    node = {"id": node_id, "type": "action", "action": key, "params": params or {}}
    if retry is not None:
        node["retry"] = retry
    return node


def condition(node_id: str, rule) -> dict:
    return {"id": node_id, "type": "condition", "rule": rule}


@pytest.fixture
def q_sync(settings):
    """django-q2 runs queued tasks at once, in the caller's thread (its sync mode)."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}


@pytest.fixture
def gift_stock(warehouse):
    """GIFT-TOTE, 50 on hand in the main warehouse."""
    ProductFactory(sku="GIFT-TOTE", title="帆布袋", price="29.00")
    return StockItemFactory(sku="GIFT-TOTE", warehouse=warehouse, on_hand=50)
