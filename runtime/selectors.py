"""Reads of executions, for the API."""

from django.db.models import Prefetch, QuerySet

from commerce.orders.selectors import order_find_by_number

from .errors import ExecutionNotFound
from .models import Execution, ExecutionStep


def execution_list(*, filters: dict | None = None) -> QuerySet[Execution]:
    """Executions newest first, each with its version and steps (two extra queries per page).

    ``filters``: ``flow`` (id), ``status``, ``subject`` (``"order:123"``), ``order`` (an order number).
    """
    qs = (
        Execution.objects.select_related("flow_version", "flow")
        .defer("flow_version__document", "flow_version__notes", "flow__draft")
        .prefetch_related(Prefetch("steps", queryset=ExecutionStep.objects.order_by("id")))
    )
    f = filters or {}
    if f.get("flow"):
        qs = qs.filter(flow_id=f["flow"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("subject"):
        qs = qs.filter(subject_key=f["subject"])
    if f.get("order"):
        order = order_find_by_number(number=f["order"].strip())
        qs = qs.filter(subject_key=f"order:{order.pk}") if order is not None else qs.none()
    return qs


def execution_get(*, execution_id: int) -> Execution:
    execution = execution_list().filter(pk=execution_id).first()
    if execution is None:
        raise ExecutionNotFound(details={"execution": execution_id})
    return execution
