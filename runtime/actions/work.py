"""Actions that hand work to people: open a ticket in a queue, change one, notify a role's inbox."""

from datetime import timedelta

from builder.catalog import ActionSpec
from commerce.inbox import services as inbox
from commerce.tickets import constants as tickets
from commerce.tickets.services import ticket_open, ticket_update
from core.accounts.roles import ALL_ROLES, FINANCE, OPERATOR, SUPERVISOR
from core.errors import DomainError
from core.time import iso_utc

from ..errors import TerminalFailure
from .base import Action, ActionRun, object_schema, step_failure

# Who works a queue when the node does not say: the queue named after a role goes to that role.
QUEUE_ROLES = {tickets.SUPERVISOR: SUPERVISOR, tickets.FINANCE: FINANCE}


def context_order_id(run: ActionRun) -> int | None:
    """The context's order id when there is one: tickets and notifications link to it."""
    order = run.context.get("order")
    order_id = order.get("id") if isinstance(order, dict) else None
    return order_id if isinstance(order_id, int) and not isinstance(order_id, bool) else None


class TicketOpen(Action):
    """Opens a ticket, linked to the context's order if there is one. ``ticket_open`` is not
    idempotent by itself; the receipt (same transaction) makes the node open exactly one."""

    spec = ActionSpec(
        key="ticket.open",
        name_en="Open a ticket",
        name_zh="创建工单",
        description_en="Opens a ticket in a queue, due in so many minutes.",
        description_zh="在指定队列中创建工单，并设定处理时限（分钟）。",
        group="ticket",
        icon="ticket",
        params_schema=object_schema(
            {
                "title": {"type": "string", "minLength": 1, "maxLength": tickets.TITLE_MAX},
                "queue": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": tickets.QUEUE_MAX,
                    "pattern": "^[-a-zA-Z0-9_]+$",
                },
                "priority": {"type": "string", "enum": list(tickets.PRIORITIES)},
                "due_in_minutes": {"type": "integer", "minimum": 1, "maximum": 525600},
                "assignee_role": {
                    "type": "string",
                    "enum": list(ALL_ROLES),
                    "description": "Who works it; by default the role a queue is named after, else operators.",
                },
            },
            required=("title", "queue", "priority"),
        ),
        output_schema=object_schema(
            {
                "ticket_id": {"type": ["integer", "null"]},
                "queue": {"type": "string"},
                "assignee_role": {"type": "string"},
                "due_at": {"type": ["string", "null"]},
            }
        ),
    )

    def _resolved(self, params: dict, run: ActionRun) -> dict:
        minutes = params.get("due_in_minutes")
        return {
            "title": params["title"],
            "queue": params["queue"],
            "priority": params["priority"],
            "assignee_role": params.get("assignee_role") or QUEUE_ROLES.get(params["queue"], OPERATOR),
            "due_at": run.now + timedelta(minutes=minutes) if minutes else None,
            "order_id": context_order_id(run),
        }

    def perform(self, params: dict, run: ActionRun) -> dict:
        resolved = self._resolved(params, run)
        try:
            ticket = ticket_open(**resolved, actor=run.actor)
        except DomainError as exc:
            raise step_failure(exc) from None
        return {
            "ticket_id": ticket.pk,
            "queue": ticket.queue,
            "assignee_role": ticket.assignee_role,
            "due_at": iso_utc(ticket.due_at),
        }

    def preview(self, params: dict, run: ActionRun) -> dict:
        resolved = self._resolved(params, run)
        return {
            "ticket_id": None,
            "queue": resolved["queue"],
            "assignee_role": resolved["assignee_role"],
            "due_at": iso_utc(resolved["due_at"]),
            "title": resolved["title"],
        }


class TicketUpdate(Action):
    """Changes an existing ticket: its priority, its queue, who works it. Idempotent by the service
    (values it already has change nothing), so a retried step changes it once."""

    spec = ActionSpec(
        key="ticket.update",
        name_en="Change a ticket",
        name_zh="修改工单",
        description_en="Raises or lowers a ticket's priority, moves it to another queue or gives it to someone.",
        description_zh="调整已有工单的优先级、转到其他队列或指派处理人。",
        group="ticket",
        icon="ticket",
        params_schema=object_schema(
            {
                "ticket_id": {
                    "type": ["integer", "string"],
                    "maxLength": 200,
                    "description": "The ticket to change: {{ difference.ticket_id }}, {{ steps.<node>.ticket_id }}…",
                },
                "priority": {"type": "string", "enum": list(tickets.PRIORITIES)},
                "queue": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": tickets.QUEUE_MAX,
                    "pattern": "^[-a-zA-Z0-9_]+$",
                },
                "assignee_role": {"type": "string", "enum": list(ALL_ROLES)},
                "assignee": {"type": "string", "minLength": 1, "maxLength": 150, "description": "A user's username."},
            },
            required=("ticket_id",),
        ),
        output_schema=object_schema(
            {
                "ticket_id": {"type": ["integer", "null"]},
                "priority": {"type": "string"},
                "queue": {"type": "string"},
                "changed": {"type": "array", "items": {"type": "string"}},
            }
        ),
    )

    @staticmethod
    def _ticket_id(params: dict) -> int:
        value = params.get("ticket_id")
        text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
        if not text.isdigit() or not 0 < int(text) < 2**63:
            raise TerminalFailure("invalid_param", f"ticket_id: {value!r} is not a ticket id")
        return int(text)

    def perform(self, params: dict, run: ActionRun) -> dict:
        try:
            ticket, changes = ticket_update(
                ticket_id=self._ticket_id(params),
                priority=params.get("priority"),
                queue=params.get("queue"),
                assignee_role=params.get("assignee_role"),
                assignee=params.get("assignee"),
                actor=run.actor,
            )
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"ticket_id": ticket.pk, "priority": ticket.priority, "queue": ticket.queue, "changed": sorted(changes)}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {
            "ticket_id": self._ticket_id(params),
            "priority": params.get("priority", ""),
            "queue": params.get("queue", ""),
            "changed": [],
        }


class NotifyInbox(Action):
    """Puts a notification in the inbox of everyone holding ``to_role`` (an internal message, not
    the customer). Exactly one per node per execution, by its receipt."""

    spec = ActionSpec(
        key="notify.inbox",
        name_en="Notify a role's inbox",
        name_zh="站内通知",
        description_en="Sends a message to the inbox of everyone with a role.",
        description_zh="向某一角色的所有成员发送站内消息。",
        group="notify",
        icon="inbox",
        params_schema=object_schema(
            {
                "to_role": {"type": "string", "enum": list(ALL_ROLES)},
                "title": {"type": "string", "minLength": 1, "maxLength": inbox.TITLE_MAX},
                "body": {"type": "string", "maxLength": inbox.BODY_MAX},
            },
            required=("to_role", "title"),
        ),
        output_schema=object_schema({"notification_id": {"type": ["integer", "null"]}, "to_role": {"type": "string"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        try:
            note = inbox.inbox_notify(
                to_role=params["to_role"],
                title=params["title"],
                body=params.get("body", ""),
                order_id=context_order_id(run),
                actor=run.actor,
            )
        except DomainError as exc:
            raise step_failure(exc) from None
        return {"notification_id": note.pk, "to_role": note.to_role}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {
            "notification_id": None,
            "to_role": params["to_role"],
            "title": params["title"],
            "body": params.get("body", ""),
        }
