"""Row locks for flows. A flow's row is locked before any of its versions is written."""

from .errors import FlowNotFound
from .models import Flow


def flow_lock(flow_id: int) -> Flow:
    """The flow row, locked ``FOR UPDATE`` until the surrounding transaction ends.

    Publishing numbers versions ``max + 1`` under this lock, so two concurrent publishes of one
    flow queue instead of racing for a number (the unique constraint is the backstop).
    """
    try:
        return Flow.objects.select_for_update(of=("self",)).get(pk=flow_id)
    except Flow.DoesNotExist:
        raise FlowNotFound(details={"flow": flow_id}) from None
