"""Domain errors of the flow builder. The API maps each to ``{"code", "message", "details"}``."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class InvalidFlow(InvalidInput):
    """The document has problems; ``details["problems"]`` lists each with its node id and pointer."""

    code = "invalid_flow"
    message = _("The flow document has problems; nothing was published.")

    def __init__(self, problems, message=None):
        super().__init__(message, details={"problems": [p.as_dict() for p in problems]})
        self.problems = list(problems)


class EventUnavailable(InvalidFlow):
    """The trigger names an event no code emits yet (``EventSpec.unavailable``): the flow would never run.

    ``details``: every problem of the document (as ``InvalidFlow``), and the trigger — its node id,
    pointer, event name and the reason in both languages.
    """

    code = "event_unavailable"

    def __init__(self, problems, *, event: str, reason: dict):
        message = gettext(
            "The trigger's event %(event)s is not available yet (nothing emits it), so the flow cannot be "
            "published. It is saved as a draft."
        ) % {"event": event}
        super().__init__(problems, message=message)
        self.details["trigger"] = {"node_id": "trigger", "pointer": "/trigger/event", "event": event, "reason": reason}


class FlowNotFound(NotFound):
    code = "not_found"
    message = _("No such flow.")


class FlowVersionNotFound(NotFound):
    code = "version_not_found"
    message = _("The flow has no such version.")


class FlowUnchanged(Conflict):
    """Publishing a document identical to the current version creates nothing."""

    code = "unchanged"
    message = _("The document is identical to the current version; nothing was published.")


class FlowNotPublished(Conflict):
    code = "not_published"
    message = _("Publish the flow before enabling it.")


class FlowArchived(Conflict):
    """A deleted (archived) flow is kept for its history; it is not published or switched on again."""

    code = "flow_archived"
    message = _("This flow was deleted; it is kept only for its history. Duplicate it to use it again.")


class NoSuchPicker(NotFound):
    code = "no_such_picker"

    def __init__(self, *, kind: str, kinds: tuple[str, ...]):
        message = gettext("There is no list of %(kind)s to pick from.") % {"kind": kind}
        super().__init__(message, details={"kind": kind, "kinds": list(kinds)})
