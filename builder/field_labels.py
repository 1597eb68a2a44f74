"""What the editor shows for each field of a context and each action param: title, kind, value labels, picker.

The catalog (``catalog.catalog_document``) passes every schema it serves through ``annotated``,
which adds to each property, where the schema does not say it already:

- ``x-title`` ``{"zh", "en"}``: looked up in ``TITLES`` by the property's path, longest suffix
  first (``order.shipping_address.name`` → 收件人, before ``name`` → 名称);
- ``x-kind``: one of ``KINDS``, from ``KIND_OF`` by path, else from the schema's own type
  (two-place decimals are money, ``date-time`` is a time, ``id``/``…_id`` integers are ids);
- ``x-enum-labels``: for every value an enum (or ``const``) allows, ``{"zh", "en"}`` from
  ``ENUM_LABELS`` by field path, else ``VALUE_LABELS`` by value;
- ``x-picker``: from ``PICKER_OF`` by path (see ``catalog.PICKER_KINDS``).

A schema may carry any of these itself (a connector's param that only it knows): what it says wins.
Nothing is invented: a property that no table names gets no title, and the catalog tests fail
until one is given — that is how a new field cannot reach the editor unlabelled.
"""

import json
from typing import Any

from commerce.orders import statuses as order_statuses
from commerce.reconciliation import categories as reconciliation_categories
from commerce.refunds import statuses as refund_statuses
from commerce.shipments import statuses as shipment_statuses
from commerce.tickets import constants as tickets

KINDS = ("money", "number", "integer", "text", "time", "bool", "list", "enum", "object", "id")

_MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"

# Titles by path suffix. Paths are dotted property keys; array items add nothing (``order.lines.sku``).
TITLES: dict[str, tuple[str, str]] = {
    # The objects.
    "event": ("事件", "Event"),
    "order": ("订单", "Order"),
    "stock": ("库存", "Stock"),
    "payment": ("付款", "Payment"),
    "shipment": ("发货单", "Shipment"),
    "refund": ("退款申请", "Refund"),
    "notification": ("通知", "Notification"),
    "difference": ("对账差异", "Reconciliation difference"),
    "alert": ("告警", "Alert"),
    "steps": ("前面步骤的结果", "Earlier steps' results"),
    "webhook": ("Webhook 请求", "Webhook request"),
    "input": ("手动输入", "Manual input"),
    # The event itself.
    "event.id": ("事件编号", "Event id"),
    "event.type": ("事件类型", "Event type"),
    "event.occurred_at": ("发生时间", "Occurred at"),
    # Common words.
    "id": ("编号", "Id"),
    "name": ("名称", "Name"),
    "status": ("状态", "Status"),
    "channel": ("渠道", "Channel"),
    "currency": ("币种", "Currency"),
    "created_at": ("创建时间", "Created at"),
    "updated_at": ("更新时间", "Updated at"),
    "paid_at": ("支付时间", "Paid at"),
    "reason": ("原因", "Reason"),
    "note": ("备注", "Note"),
    "sku": ("商品编码 (SKU)", "SKU"),
    "quantity": ("数量", "Quantity"),
    "warehouse": ("仓库", "Warehouse"),
    "title": ("标题", "Title"),
    "phone": ("手机号", "Phone"),
    "order_id": ("订单编号", "Order id"),
    "amount": ("金额", "Amount"),
    "lines": ("商品明细", "Lines"),
    "minutes": ("分钟数", "Minutes"),
    "code": ("代码", "Code"),
    "description": ("说明", "Description"),
    "zh": ("中文", "Chinese"),
    "en": ("英文", "English"),
    "text": ("内容", "Text"),
    "body": ("内容", "Body"),
    "url": ("地址 (URL)", "URL"),
    "headers": ("请求头", "Headers"),
    "template": ("模板", "Template"),
    "connection": ("连接", "Connection"),
    "queue": ("队列", "Queue"),
    "priority": ("优先级", "Priority"),
    "tag": ("标签", "Tag"),
    "format": ("格式", "Format"),
    "variables": ("模板变量", "Template variables"),
    "marketing": ("营销消息", "Marketing message"),
    "retry_interval_seconds": ("重试间隔（秒）", "Retry interval (seconds)"),
    "max_retries": ("最多重试次数", "Max retries"),
    "mention_mobiles": ("@ 的手机号", "Mention (mobiles)"),
    # The order.
    "order.id": ("订单编号", "Order id"),
    "order.number": ("订单号", "Order number"),
    "order.channel": ("渠道", "Channel"),
    "order.external_id": ("平台订单号", "Platform order id"),
    "order.status": ("订单状态", "Order status"),
    "order.status_changed_at": ("状态变更时间", "Status changed at"),
    "order.customer": ("客户", "Customer"),
    "customer.id": ("客户编号", "Customer id"),
    "customer.name": ("客户姓名", "Customer name"),
    "customer.phone": ("客户手机号", "Customer phone"),
    "customer.credit_level": ("信用等级", "Credit level"),
    "goods_amount": ("商品金额", "Goods amount"),
    "shipping_amount": ("运费", "Shipping"),
    "discount_amount": ("优惠金额", "Discount"),
    "total_amount": ("订单金额", "Order total"),
    "shipping_address": ("收货地址", "Shipping address"),
    "shipping_address.name": ("收件人", "Recipient"),
    "shipping_address.phone": ("收件人手机号", "Recipient phone"),
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
    "district": ("区县", "District"),
    "shipping_address.line": ("详细地址", "Street address"),
    "postcode": ("邮编", "Postcode"),
    "client_ip": ("下单 IP", "Client IP"),
    "device": ("下单设备", "Device"),
    "placed_at": ("下单时间", "Placed at"),
    "order.paid_at": ("支付时间", "Paid at"),
    "on_hold": ("已挂起", "On hold"),
    "hold_reason": ("挂起原因", "Hold reason"),
    "cancel_reason": ("取消原因", "Cancel reason"),
    "gift_for": ("赠品所属订单", "Gift for order"),
    "tags": ("标签", "Tags"),
    "order.lines.id": ("明细编号", "Line id"),
    # A reconciliation difference.
    "difference.day": ("对账日", "Reconciled day"),
    "difference.category": ("差异类型", "Difference type"),
    "difference.category_label": ("差异类型名称", "Difference type name"),
    "difference.status": ("差异状态", "Difference status"),
    "difference.order_number": ("订单号", "Order number"),
    "difference.gateway": ("支付渠道", "Payment gateway"),
    "difference.out_trade_no": ("商户订单号", "Merchant trade number"),
    "difference.expected_amount": ("应收金额", "Expected amount"),
    "difference.actual_amount": ("账单金额", "Billed amount"),
    "difference.detail": ("差异详情", "Details"),
    "difference.ticket_id": ("财务工单编号", "Finance ticket id"),
    "difference.resolution": ("处理说明", "Resolution"),
    "difference.resolved_by": ("处理人", "Resolved by"),
    "difference.resolved_at": ("处理时间", "Resolved at"),
    # A risk review.
    "risk": ("风控审核", "Risk review"),
    "risk.hits": ("命中的规则", "Rules hit"),
    "hits.rule": ("规则", "Rule"),
    "hits.rule_name": ("规则名称", "Rule name"),
    "hits.evidence": ("证据", "Evidence"),
    "hits.state": ("审核状态", "Review state"),
    "hits.decided_by": ("审核人", "Decided by"),
    "hits.decided_at": ("审核时间", "Decided at"),
    "risk.decision": ("审核结论", "Decision"),
    "position": ("行号", "Position"),
    "lines.title": ("商品名称", "Product title"),
    "unit_price": ("单价", "Unit price"),
    "line_total": ("小计", "Line total"),
    # Stock.
    "on_hand": ("在库数量", "On hand"),
    "reserved": ("已预占", "Reserved"),
    "available": ("可用数量", "Available"),
    "safety_stock": ("安全库存", "Safety stock"),
    "low_stock": ("低于安全库存", "Low stock"),
    "stock.id": ("库存记录编号", "Stock row id"),
    # Payment.
    "outcome": ("付款结果", "Outcome"),
    # Reservations.
    "reservations": ("过期的预占", "Expired reservations"),
    "reservations.id": ("预占编号", "Reservation id"),
    "order_line_id": ("订单明细编号", "Order line id"),
    # Shipments and tracking.
    "shipment.id": ("发货单编号", "Shipment id"),
    "courier": ("快递公司", "Courier"),
    "carrier": ("承运商", "Carrier"),
    "tracking_no": ("运单号", "Tracking number"),
    "shipment.status": ("物流状态", "Shipment status"),
    "last_event_at": ("最新轨迹时间", "Last tracking at"),
    "expected_delivery_at": ("预计送达时间", "Expected delivery"),
    "latest_event": ("最新物流轨迹", "Latest tracking event"),
    "latest_event.occurred_at": ("轨迹时间", "Tracked at"),
    "latest_event.status": ("轨迹状态", "Tracking status"),
    "latest_event.code": ("快递公司状态码", "Courier's code"),
    "latest_event.description": ("轨迹描述", "Description"),
    "location": ("所在地", "Location"),
    # Refunds.
    "refund.id": ("退款编号", "Refund id"),
    "refund.amount": ("退款金额", "Refund amount"),
    "refund.reason": ("退款原因", "Refund reason"),
    "refund.status": ("退款状态", "Refund status"),
    "method": ("退款方式", "Method"),
    "refund.queue": ("处理队列", "Queue"),
    "return_needed": ("需要退货", "Return needed"),
    "return_tracking_no": ("退货运单号", "Return tracking number"),
    "approvals_needed": ("待审批角色", "Approvals needed"),
    "policy_version": ("退款规则版本", "Policy version"),
    "refund.lines": ("退款商品", "Refunded lines"),
    "requested_by": ("申请人", "Requested by"),
    "decided_at": ("审批时间", "Decided at"),
    "refund.paid_at": ("到账时间", "Paid out at"),
    "failure": ("失败原因", "Failure"),
    "sla": ("超时等级", "SLA level"),
    "ticket_number": ("工单号", "Ticket number"),
    # Returns (refund.returned, on main since this table was written).
    "context.returned": ("退回的商品", "Returned goods"),
    "returned.condition": ("货品状况", "Condition"),
    "returned.disposition": ("处理方式", "Disposition"),
    "returned.warehouse": ("入库仓库", "Restocked in"),
    "context.tracking_no": ("退货运单号", "Return tracking number"),
    "level": ("超时等级", "SLA level"),
    "hours_waiting": ("已等待小时数", "Hours waiting"),
    # Notifications.
    "notification.id": ("通知编号", "Notification id"),
    "notification.channel": ("通知渠道", "Notification channel"),
    "connection_id": ("连接编号", "Connection id"),
    "recipient": ("接收人", "Recipient"),
    "notification.template": ("消息模板", "Message template"),
    "notification.status": ("发送状态", "Delivery status"),
    "attempts": ("已尝试次数", "Attempts"),
    "last_error": ("最近错误", "Last error"),
    # Alerts.
    "alert.id": ("告警编号", "Alert id"),
    "alert.rule": ("告警规则", "Alert rule"),
    "severity": ("严重程度", "Severity"),
    "alert.channel": ("渠道", "Channel"),
    "alert.title": ("告警标题", "Alert title"),
    "alert.message": ("告警内容", "Alert message"),
    "raised_at": ("告警时间", "Raised at"),
    "resolved_at": ("解除时间", "Resolved at"),
    "resolved_by": ("解除人", "Resolved by"),
    "drilldown": ("明细拆解", "Drill-down"),
    "dimension": ("维度", "Dimension"),
    "rows": ("明细行", "Rows"),
    "rows.key": ("键", "Key"),
    "rows.label": ("名称", "Label"),
    "rows.value": ("数值", "Value"),
    # Event extras.
    "context.from": ("原状态", "From status"),
    "context.to": ("新状态", "To status"),
    "context.reason": ("原因", "Reason"),
    "context.rule": ("超时规则", "Timeout rule"),
    "rule.id": ("规则编号", "Rule id"),
    "rule.name": ("规则名称", "Rule name"),
    "rule.status": ("规则针对的状态", "Status watched"),
    "rule.minutes": ("超时分钟数", "Minutes"),
    "rule.channel": ("适用渠道", "Channel"),
    "category": ("商品类目", "Product category"),
    "waited_minutes": ("已等待分钟数", "Minutes waited"),
    # Webhook and manual runs.
    "webhook.body": ("请求内容", "Request body"),
    "webhook.headers": ("请求头", "Request headers"),
    # Trigger config.
    "trigger.type": ("触发方式", "Trigger type"),
    "trigger.event": ("业务事件", "Event"),
    "cron": ("定时计划 (cron)", "Schedule (cron)"),
    "timezone": ("时区", "Time zone"),
    "for_each": ("对每个订单运行", "For each order"),
    "collection": ("对象", "Collection"),
    "filter": ("订单筛选", "Order filter"),
    "filter.status": ("订单状态", "Order status"),
    "filter.tag": ("带有标签", "Has tag"),
    "status_older_than_minutes": ("在当前状态已超过（分钟）", "In its status for over (minutes)"),
    "cooldown_minutes": ("同一订单再次运行间隔（分钟）", "Again for an order after (minutes)"),
    "hmac_secret": ("签名密钥", "Signing secret"),
    # Action params.
    "due_in_minutes": ("处理时限（分钟）", "Due in (minutes)"),
    "assignee_role": ("处理角色", "Assignee role"),
    "ticket.update.ticket_id": ("要修改的工单", "Ticket to change"),
    "ticket.update.assignee": ("指派给", "Assign to"),
    "once_per": ("每个…只发一次", "Once per"),
    "to_role": ("接收角色", "Recipient role"),
    "order.transition.to": ("目标状态", "To status"),
    "order.note.text": ("备注内容", "Note text"),
    "order.hold.reason": ("挂起原因", "Hold reason"),
    "order.release.note": ("解除备注", "Release note"),
    "refund.request.amount": ("退款金额", "Refund amount"),
    "refund.request.reason": ("退款原因", "Refund reason"),
    "refund_id": ("退款编号", "Refund id"),
    "payment.refund.amount": ("退款金额", "Refund amount"),
    "payment.refund.reason": ("退款原因", "Refund reason"),
    "http.request.method": ("请求方法", "Method"),
    "http.request.body": ("请求内容", "Body"),
    "sign_secret": ("签名密钥", "Signing secret"),
    "delay.minutes": ("等待分钟数", "Minutes"),
    "template_code": ("短信模板", "SMS template"),
    "template_id": ("微信模板", "WeChat template"),
    "openid": ("微信用户 OpenID", "WeChat OpenID"),
    "notify.wechat.url": ("点击跳转地址", "Link"),
    "notify.email.to": ("收件人邮箱", "To (e-mail)"),
    "subject": ("邮件主题", "Subject"),
    "channels": ("依次尝试的渠道", "Channels, in order"),
    "channels.channel": ("通知渠道", "Channel"),
}

# Kinds the schema's type alone does not tell, by path suffix.
KIND_OF: dict[str, str] = {
    "amount": "money",
    "gift_for": "id",
    "connection": "id",
    "connection_id": "id",
    "event.id": "id",
    "webhook.body": "object",
    "http.request.body": "text",
    "latest_event": "object",
    "filter.status": "enum",
}

# What names something that exists, by path suffix: the editor offers ``/api/v1/pickers/<kind>/``.
PICKER_OF: dict[str, str] = {
    "order.channel": "channel",
    "rule.channel": "channel",
    "alert.channel": "channel",
    "filter.channel": "channel",
    "order.status": "status",
    "rule.status": "status",
    "filter.status": "status",
    "context.from": "status",
    "context.to": "status",
    "order.transition.to": "status",
    "tags": "tag",
    "tag": "tag",
    "sku": "sku",
    "warehouse": "warehouse",
    "queue": "queue",
    "priority": "ticket_priority",
    "assignee_role": "role",
    "to_role": "role",
    "courier": "courier",
    "connection": "connection",
    "connection_id": "connection",
    "template_code": "message_template",
    "template_id": "message_template",
    "notification.template": "message_template",
    "requested_by": "user",
    "ticket.update.assignee": "user",
    "resolved_by": "user",
    "trigger.event": "event",
}

ROLE_LABELS = {
    "operator": ("运营", "Operator"),
    "supervisor": ("主管", "Supervisor"),
    "finance": ("财务", "Finance"),
    "admin": ("管理员", "Admin"),
    "manager": ("经理", "Manager"),
}
PRIORITY_LABELS = {
    tickets.LOW: ("低", "Low"),
    tickets.NORMAL: ("普通", "Normal"),
    tickets.HIGH: ("高", "High"),
    tickets.URGENT: ("紧急", "Urgent"),
}
QUEUE_LABELS = {
    tickets.WAREHOUSE: ("仓库", "Warehouse"),
    tickets.SUPERVISOR: ("主管", "Supervisor"),
    tickets.SERVICE: ("客服", "Service"),
    tickets.FINANCE: ("财务", "Finance"),
}
ORDER_STATUS_LABELS = dict(order_statuses.NAMES)
SHIPMENT_STATUS_LABELS = {
    shipment_statuses.CREATED: ("已创建", "Created"),
    shipment_statuses.IN_TRANSIT: ("运输中", "In transit"),
    shipment_statuses.OUT_FOR_DELIVERY: ("派送中", "Out for delivery"),
    shipment_statuses.SIGNED: ("已签收", "Signed"),
    shipment_statuses.EXCEPTION: ("异常", "Exception"),
    shipment_statuses.RETURNED: ("已退回", "Returned"),
}
REFUND_STATUS_LABELS = {
    refund_statuses.REQUESTED: ("已申请", "Requested"),
    refund_statuses.APPROVING: ("审批中", "Approving"),
    refund_statuses.APPROVED: ("已批准", "Approved"),
    refund_statuses.REJECTED: ("已拒绝", "Rejected"),
    refund_statuses.REFUNDING: ("退款中", "Refunding"),
    refund_statuses.REFUNDED: ("已退款", "Refunded"),
    refund_statuses.FAILED: ("退款失败", "Failed"),
    refund_statuses.CANCELLED: ("已撤销", "Cancelled"),
}
REFUND_REASON_LABELS = {
    refund_statuses.WRONG_ITEM: ("发错货", "Wrong item"),
    refund_statuses.DAMAGED_IN_TRANSIT: ("运输损坏", "Damaged in transit"),
    refund_statuses.QUALITY: ("质量问题", "Quality problem"),
    refund_statuses.NO_REASON_7_DAYS: ("七天无理由", "7-day no-reason return"),
    refund_statuses.NOT_RECEIVED: ("未收到货", "Not received"),
    refund_statuses.PRICE_ADJUSTMENT: ("价格补差", "Price adjustment"),
    refund_statuses.OTHER: ("其他", "Other"),
}
SLA_LABELS = {
    "": ("未超时", "On time"),
    refund_statuses.YELLOW: ("黄色（12 小时）", "Yellow (12 h)"),
    refund_statuses.ORANGE: ("橙色（24 小时）", "Orange (24 h)"),
    refund_statuses.RED: ("红色（36 小时）", "Red (36 h)"),
}
NOTIFY_CHANNEL_LABELS = {
    "sms": ("短信", "SMS"),
    "wechat": ("微信模板消息", "WeChat template message"),
    "wecom": ("企业微信群机器人", "WeCom group robot"),
    "dingtalk": ("钉钉群机器人", "DingTalk group robot"),
    "email": ("邮件", "E-mail"),
}

# Labels of enum values by field path suffix (a value means different things in different fields).
ENUM_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "order.status": ORDER_STATUS_LABELS,
    "rule.status": ORDER_STATUS_LABELS,
    "filter.status": ORDER_STATUS_LABELS,
    "context.from": ORDER_STATUS_LABELS,
    "context.to": ORDER_STATUS_LABELS,
    "order.transition.to": ORDER_STATUS_LABELS,
    "shipment.status": SHIPMENT_STATUS_LABELS,
    "latest_event.status": SHIPMENT_STATUS_LABELS,
    "refund.status": REFUND_STATUS_LABELS,
    "refund.reason": REFUND_REASON_LABELS,
    "refund.request.reason": REFUND_REASON_LABELS,
    "context.reason": {
        "no_tracking_event": ("长时间无物流轨迹", "No tracking event for hours"),
        "overdue": ("超过预计送达时间", "Past the expected delivery"),
    },
    "sla": SLA_LABELS,
    "level": SLA_LABELS,
    "method": {
        refund_statuses.GATEWAY: ("原路退回", "Through the payment gateway"),
        refund_statuses.OFFLINE: ("线下退款", "Offline"),
        refund_statuses.CHANNEL: ("平台已退款", "By the sales channel"),
    },
    "outcome": {
        "paid": ("订单已支付", "Order paid"),
        "reopened": ("超时取消后重新打开", "Reopened after timeout"),
        "held": ("挂起待审核", "Held for review"),
    },
    "notification.status": {
        "queued": ("等待重试", "Queued"),
        "sent": ("已发送", "Sent"),
        "failed": ("发送失败", "Failed"),
        "dead": ("放弃发送", "Given up"),
    },
    "channel": NOTIFY_CHANNEL_LABELS,
    "severity": {"warning": ("警告", "Warning"), "critical": ("严重", "Critical")},
    "returned.condition": {"sellable": ("可再售", "Sellable"), "damaged": ("已损坏", "Damaged")},
    "returned.disposition": {"restocked": ("已入库", "Restocked"), "quarantine": ("隔离待处理", "Quarantined")},
    "dimension": {"sku": ("商品", "SKU"), "courier": ("快递公司", "Courier"), "region": ("地区", "Region")},
    "http.request.method": {m: (m, m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    "format": {"text": ("纯文本", "Plain text"), "markdown": ("Markdown", "Markdown")},
    "priority": PRIORITY_LABELS,
    "assignee_role": ROLE_LABELS,
    "to_role": ROLE_LABELS,
    "collection": {"orders": ("订单", "Orders")},
    "difference.category": {key: (label["zh"], label["en"]) for key, label in reconciliation_categories.LABELS.items()},
    "difference.status": {
        reconciliation_categories.OPEN: ("待处理", "Open"),
        reconciliation_categories.RESOLVED: ("已处理", "Resolved"),
        reconciliation_categories.CLEARED: ("已自动消除", "Cleared by a re-run"),
    },
    "hits.state": {
        "pending": ("待审核", "Pending"),
        "approved": ("已放行", "Approved"),
        "rejected": ("已拒绝", "Rejected"),
    },
    "risk.decision": {
        "": ("待审核", "Waiting"),
        "approved": ("已放行", "Approved (released)"),
        "rejected": ("已拒绝", "Rejected (cancelled)"),
    },
}
# Labels of values whatever field carries them (the trigger types' ``const``).
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "event": ("业务事件", "Event"),
    "schedule": ("定时", "Schedule"),
    "webhook": ("Webhook", "Webhook"),
    "manual": ("手动", "Manual"),
}


def _pair(labels: tuple[str, str]) -> dict:
    zh, en = labels
    return {"zh": zh, "en": en}


def lookup_by_path(table: dict, path) -> Any:
    """The entry of ``table`` for the longest dotted suffix of ``path`` it has, or ``None``."""
    for start in range(len(path)):
        found = table.get(".".join(path[start:]))
        if found is not None:
            return found
    return None


def _types(prop: dict) -> set:
    kind = prop.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def enum_values(prop: dict) -> list:
    """Every value ``prop`` allows from a list: its ``enum``/``const``, its branches' and its items'."""
    values: list = []
    if isinstance(prop.get("enum"), list):
        values.extend(prop["enum"])
    if "const" in prop:
        values.append(prop["const"])
    for key in ("anyOf", "oneOf"):
        for branch in prop.get(key) or []:
            if isinstance(branch, dict) and not isinstance(branch.get("properties"), dict):
                values.extend(v for v in enum_values(branch) if v not in values)
    items = prop.get("items")
    if isinstance(items, dict) and not isinstance(items.get("properties"), dict):
        values.extend(v for v in enum_values(items) if v not in values)
    return values


def _kind(prop: dict, key: str, path: tuple[str, ...]) -> str | None:
    explicit = lookup_by_path(KIND_OF, path)
    if explicit:
        return explicit
    types = _types(prop) - {"null"}
    if enum_values(prop):
        return "enum"
    if prop.get("pattern") == _MONEY_PATTERN or key.endswith("_amount") or key in ("unit_price", "line_total"):
        return "money"
    if prop.get("format") == "date-time":
        return "time"
    if "integer" in types:
        return "id" if key == "id" or key.endswith("_id") else "integer"
    if "number" in types:
        return "number"
    if "boolean" in types:
        return "bool"
    if "array" in types:
        return "list"
    if "object" in types or isinstance(prop.get("properties"), dict):
        return "object"
    if "string" in types:
        return "text"
    return None


def _annotate_property(prop: dict, key: str, path: tuple[str, ...]) -> None:
    title = lookup_by_path(TITLES, path)
    if "x-title" not in prop and title is not None:
        prop["x-title"] = _pair(title)
    if "x-kind" not in prop:
        kind = _kind(prop, key, path)
        if kind is not None:
            prop["x-kind"] = kind
    values = enum_values(prop)
    if values and "x-enum-labels" not in prop:
        scoped = lookup_by_path(ENUM_LABELS, path) or {}
        labels = {}
        for value in values:
            label = scoped.get(value) or VALUE_LABELS.get(value)
            if label is not None:
                labels[str(value)] = _pair(label)
        prop["x-enum-labels"] = labels
    picker = lookup_by_path(PICKER_OF, path)
    if "x-picker" not in prop and picker is not None:
        prop["x-picker"] = picker


def _walk(schema, path: tuple[str, ...]) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for key, prop in properties.items():
            if isinstance(prop, dict):
                _annotate_property(prop, key, (*path, key))
                _walk(prop, (*path, key))
    items = schema.get("items")
    if isinstance(items, dict):
        _walk(items, path)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            _walk(branch, path)


def annotated(schema: dict | None, *scope: str) -> dict | None:
    """A deep copy of ``schema`` with every property's title, kind, value labels and picker.

    ``scope`` starts every path: an action's key for its params (``"ticket.open"``), ``"trigger"``
    for a trigger's config, nothing for a context (its top-level keys are the objects).
    """
    if schema is None:
        return None
    # Through JSON, not ``deepcopy``: the schemas share sub-schemas (one ``_TIMESTAMP`` for every
    # time), and each place needs its own title.
    copied = json.loads(json.dumps(schema))
    _walk(copied, tuple(scope))
    return copied
