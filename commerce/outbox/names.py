"""Every domain event name, in one place. Flows name these in their ``event`` triggers."""

ORDER_CREATED = "order.created"
ORDER_PAID = "order.paid"
ORDER_STATUS_CHANGED = "order.status_changed"
ORDER_CANCELLED = "order.cancelled"
ORDER_TIMEOUT = "order.timeout"
ORDER_HELD = "order.held"
PAYMENT_RECEIVED = "payment.received"
SHIPMENT_CREATED = "shipment.created"
SHIPMENT_UPDATED = "shipment.updated"
SHIPMENT_SIGNED = "shipment.signed"
SHIPMENT_STALLED = "shipment.stalled"
SHIPMENT_EXCEPTION = "shipment.exception"
INVENTORY_LOW_STOCK = "inventory.low_stock"
INVENTORY_RESERVATION_EXPIRED = "inventory.reservation_expired"
REFUND_REQUESTED = "refund.requested"
REFUND_APPROVED = "refund.approved"
REFUND_REJECTED = "refund.rejected"
REFUND_PAID = "refund.paid"
REFUND_FAILED = "refund.failed"
REFUND_SLA_BREACHED = "refund.sla_breached"
REFUND_RETURNED = "refund.returned"
NOTIFICATION_FAILED = "notification.failed"
RECONCILIATION_DIFFERENCE = "reconciliation.difference"
# Raised by ``insights.alerts`` (an anomaly rule, the task monitor): flows may act on it.
INSIGHTS_ALERT = "insights.alert"
# Raised by ``commerce.risk``: an arriving order held by a risk rule, and its review decided.
RISK_FLAGGED = "risk.flagged"
RISK_CLEARED = "risk.cleared"

DOMAIN_EVENTS = (
    ORDER_CREATED,
    ORDER_PAID,
    ORDER_STATUS_CHANGED,
    ORDER_CANCELLED,
    ORDER_TIMEOUT,
    ORDER_HELD,
    PAYMENT_RECEIVED,
    SHIPMENT_CREATED,
    SHIPMENT_UPDATED,
    SHIPMENT_SIGNED,
    SHIPMENT_STALLED,
    SHIPMENT_EXCEPTION,
    INVENTORY_LOW_STOCK,
    INVENTORY_RESERVATION_EXPIRED,
    REFUND_REQUESTED,
    REFUND_APPROVED,
    REFUND_REJECTED,
    REFUND_PAID,
    REFUND_FAILED,
    REFUND_SLA_BREACHED,
    REFUND_RETURNED,
    NOTIFICATION_FAILED,
    RECONCILIATION_DIFFERENCE,
    INSIGHTS_ALERT,
    RISK_FLAGGED,
    RISK_CLEARED,
)
