"""Errors of the runtime: step failures (retryable or not) and the API's domain errors."""

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class StepFailure(Exception):
    """A node failed. ``retryable`` failures are tried again per the node's retry policy;
    the others make the execution ``dead`` at once (trying again would fail the same way)."""

    retryable = True

    def __init__(self, code: str, message: str, *, details: dict | None = None, retryable: bool | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        if retryable is not None:
            self.retryable = retryable

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "retryable": self.retryable, "details": self.details}


class TerminalFailure(StepFailure):
    retryable = False


class RetryableFailure(StepFailure):
    retryable = True


class RateLimited(Exception):
    """A customer-contacting action is over its flow's per-minute budget; the step waits for the next window."""

    def __init__(self, resume_at):
        super().__init__("rate limited")
        self.resume_at = resume_at


class ExecutionNotFound(NotFound):
    code = "not_found"
    message = _("No such execution.")


class NotReplayable(Conflict):
    code = "not_replayable"
    message = _("Only a dead execution can be replayed.")


class FlowNotRunnable(Conflict):
    code = "not_runnable"
    message = _("The flow cannot be run this way.")


class InvalidTestEvent(InvalidInput):
    code = "invalid_event"
    message = _("The test event is not usable.")
