"""The live wake-up: each transaction that wrote outbox events asks for a drain (coalesced: ``dispatch_request``)."""

from commerce.outbox.services import outbox_committed

from .dispatch import dispatch_request


def _outbox_committed(sender, event_ids: list[int], **kwargs) -> None:
    dispatch_request()


def connect() -> None:
    outbox_committed.connect(_outbox_committed, dispatch_uid="runtime.wake_dispatcher")
