"""Reads of flows and their versions — for the API and for the runtime.

The runtime finds what to execute with ``published_versions_for_events`` (event triggers) and
``published_versions`` (schedules, manual runs), or ``flow_for_webhook`` for an inbound call: all
answer the *current* version of *enabled* flows (``_CURRENT_OF_ENABLED``) — ``published_versions``
with its flow joined, the other two only what their callers read.
"""

from django.db.models import F, Q, QuerySet

from .errors import FlowNotFound, FlowVersionNotFound
from .models import Flow, FlowVersion

# A version that is its flow's current one, of a flow that is switched on: what a trigger may run.
_CURRENT_OF_ENABLED = Q(flow__enabled=True, flow__current_version_id=F("id"))


def flow_list(*, filters: dict | None = None) -> QuerySet[Flow]:
    """Flows, newest first. ``filters``: ``q`` (name or description contains), ``enabled`` (bool),
    ``archived`` (bool: the deleted ones instead; left out by default)."""
    qs = _flows()
    f = filters or {}
    qs = qs.filter(archived_at__isnull=not f.get("archived"))
    if f.get("q"):
        qs = qs.filter(Q(name__icontains=f["q"]) | Q(description__icontains=f["q"]))
    if f.get("enabled") is not None:
        qs = qs.filter(enabled=f["enabled"])
    return qs


def _flows() -> QuerySet[Flow]:
    return Flow.objects.select_related("owner", "current_version", "current_version__published_by")


def flow_get(*, flow_id: int) -> Flow:
    """Any flow, archived ones included (their executions still link to them)."""
    try:
        return _flows().get(pk=flow_id)
    except Flow.DoesNotExist:
        raise FlowNotFound(details={"flow": flow_id}) from None


def flow_versions(*, flow_id: int) -> QuerySet[FlowVersion]:
    """The flow's versions, newest first, without their documents."""
    return (
        FlowVersion.objects.filter(flow_id=flow_id).select_related("published_by").defer("document").order_by("-number")
    )


def flow_version_get(*, flow_id: int, number: int) -> FlowVersion:
    try:
        return FlowVersion.objects.select_related("published_by").get(flow_id=flow_id, number=number)
    except FlowVersion.DoesNotExist:
        raise FlowVersionNotFound(details={"version": number}) from None


def _current_of_enabled() -> QuerySet[FlowVersion]:
    return FlowVersion.objects.filter(_CURRENT_OF_ENABLED).select_related("flow").order_by("flow_id")


def published_versions_for_events(*, events) -> list[FlowVersion]:
    """The current version of every enabled flow whose trigger is one of the domain ``events``, by flow.

    Read on every dispatch batch, so lean: one query; the version's id, number, checksum and
    trigger, no flow joined into the answer, and the document loaded only when first used
    (dispatch caches what it learns from it).
    """
    events = sorted(events)
    if not events:
        return []
    return list(
        FlowVersion.objects.filter(_CURRENT_OF_ENABLED, trigger_type="event", trigger_event__in=events)
        .only("flow", "number", "checksum", "trigger_type", "trigger_event")
        .order_by("flow_id")
    )


def published_versions(*, trigger_type: str) -> QuerySet[FlowVersion]:
    """The current version of every enabled flow with a trigger of ``trigger_type``."""
    return _current_of_enabled().filter(trigger_type=trigger_type)


def flow_for_webhook(*, token: str) -> FlowVersion | None:
    """The current version of the enabled webhook flow owning ``token``, or ``None``.

    Read on every webhook call, so lean like ``published_versions_for_events``: what the call uses
    (the version's id, flow id, number and document), no flow row joined into the answer.
    """
    return (
        FlowVersion.objects.filter(_CURRENT_OF_ENABLED, trigger_type="webhook", flow__webhook_token=token)
        .only("flow", "number", "document")
        .first()
    )


def version_documents(*, version_ids) -> dict[int, dict]:
    """The documents of these versions by id, in one query (the executions page names their nodes)."""
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    return dict(FlowVersion.objects.filter(pk__in=ids).values_list("pk", "document"))
