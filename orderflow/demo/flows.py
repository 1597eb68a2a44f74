"""The demo's flows: published and switched on, so the living demo's orders run through them.

Each is a flow document as an operator would draw it, naming the demo's sandbox connections by
id. Seeded once by name: a flow the user edited, renamed or switched off is left as it is.

- 大单打标 — a paid order of 599 or more gets the tag 大单 (the order's trace shows the flow);
- 签收即完成并短信通知 — a parcel signed for completes the order and texts the customer through
  the Aliyun SMS sandbox (one text however often the courier pushes the signature);
- 发货通知客服群 — each shipment is announced in the service team's WeCom group through its robot
  sandbox.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from builder.models import Flow
from builder.services import flow_create, flow_publish, flow_set_enabled
from connectors.models import Connection
from core.accounts import roles
from core.actors import Actor

BIG_ORDER = "大单打标"
SIGNED_SMS = "签收即完成并短信通知"
SHIPPED_WECOM = "发货通知客服群"


def _document(name: str, description: str, event: str, nodes: list[dict], edges: list[dict]) -> dict:
    return {
        "format": "orderflow.flow/v1",
        "name": name,
        "description": description,
        "trigger": {"type": "event", "event": event},
        "nodes": nodes,
        "edges": edges,
    }


def _big_order() -> dict:
    return _document(
        BIG_ORDER,
        "支付金额 ≥ 599 的订单打上「大单」标签，便于优先处理。",
        "order.paid",
        [
            {
                "id": "big",
                "type": "condition",
                "rule": {">=": [{"var": "order.total_amount"}, 599]},
                "position": {"x": 260, "y": 80},
            },
            {
                "id": "tag",
                "type": "action",
                "action": "order.tag",
                "params": {"tag": "大单"},
                "position": {"x": 520, "y": 40},
            },
        ],
        [{"from": "trigger", "to": "big"}, {"from": "big", "to": "tag", "branch": "true"}],
    )


def _signed_sms(sms: Connection) -> dict:
    return _document(
        SIGNED_SMS,
        "包裹签收后自动完成订单，并通过阿里云短信通知顾客。",
        "shipment.signed",
        [
            {
                "id": "complete",
                "type": "action",
                "action": "order.transition",
                "params": {"to": "completed", "reason": "包裹已签收"},
                "position": {"x": 260, "y": 80},
            },
            {
                "id": "sms",
                "type": "action",
                "action": "notify.sms",
                "params": {
                    "connection": sms.pk,
                    "phone": "{{ order.customer.phone }}",
                    "template_code": "SMS_ORDER_SIGNED",
                    "variables": {"number": "{{ order.number }}"},
                    "text": "您的订单 {{ order.number }} 已签收，感谢惠顾。",
                },
                "retry": {"max_attempts": 3, "backoff_seconds": 30},
                "position": {"x": 520, "y": 80},
            },
        ],
        [{"from": "trigger", "to": "complete"}, {"from": "complete", "to": "sms"}],
    )


def _shipped_wecom(robot: Connection) -> dict:
    return _document(
        SHIPPED_WECOM,
        "每个发货单创建时，在客服企业微信群里通知单号和快递单号。",
        "shipment.created",
        [
            {
                "id": "announce",
                "type": "action",
                "action": "notify.wecom",
                "params": {
                    "connection": robot.pk,
                    "text": "订单 {{ order.number }} 已发货：{{ shipment.courier }} {{ shipment.tracking_no }}",
                },
                "position": {"x": 260, "y": 80},
            }
        ],
        [{"from": "trigger", "to": "announce"}],
    )


def _sandbox(connector: str) -> Connection | None:
    return Connection.objects.filter(connector=connector, sandbox=True, enabled=True).order_by("pk").first()


def demo_flows_seed(*, actor: Actor | None = None) -> int:
    """Creates, publishes and switches on each demo flow not there yet (by name), owned by the admin
    user and audited as ``actor``; returns how many."""
    owner = get_user_model().objects.filter(username=roles.ADMIN).first()
    if owner is None:
        return 0
    documents = [_big_order()]
    sms, robot = _sandbox("aliyun_sms"), _sandbox("wecom_robot")
    if sms is not None:
        documents.append(_signed_sms(sms))
    if robot is not None:
        documents.append(_shipped_wecom(robot))
    created = 0
    for document in documents:
        if Flow.objects.filter(name=document["name"]).exists():
            continue
        flow = flow_create(owner=owner, definition=document, actor=actor)
        flow_publish(flow_id=flow.pk, user=owner, notes="演示流程", actor=actor)
        flow_set_enabled(flow_id=flow.pk, enabled=True, actor=actor)
        created += 1
    return created
