"""Flow documents for the builder tests."""

import copy

GIFT_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Big orders get a gift",
    "description": "Orders of 599 or more receive a free tote bag.",
    "trigger": {"type": "event", "event": "order.paid"},
    "nodes": [
        {
            "id": "big",
            "type": "condition",
            "rule": {">=": [{"var": "order.total_amount"}, 599]},
            "position": {"x": 240, "y": 80},
        },
        {
            "id": "gift",
            "type": "action",
            "action": "order.create_gift",
            "params": {"sku": "GIFT-TOTE", "quantity": 1},
            "retry": {"max_attempts": 3, "backoff_seconds": 30},
            "position": {"x": 480, "y": 40},
        },
    ],
    "edges": [
        {"from": "trigger", "to": "big"},
        {"from": "big", "to": "gift", "branch": "true"},
    ],
}


def gift_flow(**changes) -> dict:
    """A fresh copy of DESIGN's example flow, with top-level keys replaced."""
    document = copy.deepcopy(GIFT_FLOW)
    document.update(changes)
    return document
