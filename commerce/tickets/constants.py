"""The ticket vocabulary in one place: statuses, priorities, the usual queues, audit actions.

A ticket moves ``open`` → ``in_progress`` (someone took it) → ``closed``; it may also be closed
straight from ``open``. Closed is final.
"""

OPEN = "open"
IN_PROGRESS = "in_progress"
CLOSED = "closed"
STATUSES = (OPEN, IN_PROGRESS, CLOSED)
STATUS_CHOICES = [(status, status.replace("_", " ")) for status in STATUSES]

LOW = "low"
NORMAL = "normal"
HIGH = "high"
URGENT = "urgent"
PRIORITIES = (LOW, NORMAL, HIGH, URGENT)
PRIORITY_CHOICES = [(priority, priority) for priority in PRIORITIES]

# Queues are slugs, so a flow can open a ticket in a queue nobody has named before; these are
# the ones the studio ships with.
WAREHOUSE = "warehouse"
SUPERVISOR = "supervisor"
SERVICE = "service"
FINANCE = "finance"
KNOWN_QUEUES = (WAREHOUSE, SUPERVISOR, SERVICE, FINANCE)

TITLE_MAX = 200
QUEUE_MAX = 32
COMMENT_MAX = 4000
RESOLUTION_MAX = 2000

# Audit actions. On the ticket's own trail (subject_type "ticket"):
SUBJECT = "ticket"
AUDIT_OPENED = "opened"
AUDIT_ASSIGNED = "assigned"
AUDIT_UPDATED = "updated"
AUDIT_COMMENTED = "commented"
AUDIT_CLOSED = "closed"
# …and on the linked order's trail (subject_type "order"), so the order's timeline shows them:
ORDER_AUDIT_TICKET_OPENED = "ticket_opened"
ORDER_AUDIT_TICKET_CLOSED = "ticket_closed"
ORDER_AUDIT_TICKET_UPDATED = "ticket_updated"
