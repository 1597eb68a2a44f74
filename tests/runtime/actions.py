"""Stand-in actions for runtime tests, registered for one test with ``runtime.actions.registered``."""

from builder.catalog import ActionSpec
from runtime.actions import Action
from runtime.errors import RetryableFailure, TerminalFailure

EMPTY = {"type": "object", "additionalProperties": False, "properties": {}}


def _spec(key: str, **extra) -> ActionSpec:
    return ActionSpec(key=key, name_en=key, name_zh=key, params_schema=EMPTY, group="test", **extra)


class Flaky(Action):
    """Fails its first ``failures`` calls (retryably, or not), then succeeds; counts its calls."""

    def __init__(self, failures: int, *, retryable: bool = True, key: str = "test.flaky"):
        self.spec = _spec(key)
        self.failures = failures
        self.retryable = retryable
        self.calls = 0

    def perform(self, params, run):
        self.calls += 1
        if self.calls <= self.failures:
            cls = RetryableFailure if self.retryable else TerminalFailure
            raise cls("flaky", f"failure {self.calls}")
        return {"calls": self.calls}


class Crash(Action):
    """Kills the runner (``SystemExit``, as a worker killed mid-step) on its first call; succeeds after.

    ``external``: stands for a network action (run outside any transaction), so the run around it
    goes step by step instead of in one transaction.
    """

    spec = _spec("test.crash")

    def __init__(self, *, external: bool = False):
        self.calls = 0
        self.external = external

    def perform(self, params, run):
        self.calls += 1
        if self.calls == 1:
            raise SystemExit("worker killed")
        return {"calls": self.calls}


class Contact(Action):
    """A customer-contacting action (under the rate limit) that remembers whom it contacted."""

    spec = _spec("test.contact", contacts_customer=True)

    def __init__(self):
        self.contacted: list[int] = []

    def perform(self, params, run):
        self.contacted.append(run.context["order"]["id"])
        return {"contacted": run.context["order"]["id"]}
