"""OpenAPI links: where the id a write answers with can be used next, documented once for the schema.

An operation that creates or changes something answers with it (an order, a flow, a refund, …);
this postprocessing hook adds, to that answer, a link to every operation whose path names that
kind of thing — its read, update, transition and delete operations — with the id taken from the
answer's body (``$response.body#/id``) and any other path parameter from the request's own path
(the refund an evidence file belongs to). Clients may follow them; schemathesis' stateful phase
does (``tests/fuzz/schema_fuzz.py``), so it chains real created ids rather than guessed ones.

``PRODUCES`` says which answers name which path parameter: the body's component, the path
parameter its id fills (the first entry, the one that decides the targets), and other parameters
the same body fills (a flow version's number).
"""

from typing import Any

from drf_spectacular.plumbing import sanitize_result_object

PRODUCES: dict[str, dict[str, str]] = {
    "Order": {"order_id": "/id"},
    "TransitionResult": {"order_id": "/order/id"},
    "Flow": {"flow_id": "/id"},
    "InstallResult": {"flow_id": "/id"},
    "FlowPublished": {"flow_id": "/flow", "number": "/number"},
    "FlowVersionSummary": {"flow_id": "/flow", "number": "/number"},
    "Execution": {"execution_id": "/id"},
    "Refund": {"refund_id": "/id"},
    "RefundDetail": {"refund_id": "/id"},
    "Evidence": {"evidence_id": "/id"},
    "Connection": {"connection_id": "/id"},
    "Delivery": {"delivery_id": "/id"},
    "BoardView": {"view_id": "/id"},
    "TimeoutRule": {"rule_id": "/id"},
    "Parcel": {"parcel_id": "/id"},
    "RiskRule": {"risk_rule_id": "/id"},
    "RiskBlacklistEntry": {"blacklist_entry_id": "/id"},
    "TicketDetail": {"ticket_id": "/id"},
    "Notification": {"notification_id": "/id"},
    "Alert": {"alert_id": "/id"},
    "OrderImport": {"order_import_id": "/id"},
    "StockItem": {"stock_id": "/id"},
    "StockImportStatus": {"import_id": "/id"},
    "ReconciliationDifference": {"difference_id": "/id"},
    "Shipment": {"order_id": "/order_id"},
}
_WRITES = ("post", "put", "patch")
_METHODS = ("get", "put", "post", "patch", "delete")
_PREFIX = "#/components/schemas/"


def _path_parameters(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]


def _answer_component(answer: dict) -> str | None:
    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return ref[len(_PREFIX) :] if ref.startswith(_PREFIX) else None


def document_links(result, generator, request, public):
    # drf-spectacular makes colliding operationIds unique (a suffix) only after the hooks; links name
    # their targets by operationId, so that is done first here, the same way.
    sanitize_result_object(result)
    operations = [
        (path, method, operation)
        for path, item in result.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS and "operationId" in operation
    ]
    for _path, method, source in operations:
        if method not in _WRITES:
            continue
        own = set(_path_parameters(source))
        for status, answer in source.get("responses", {}).items():
            produced = PRODUCES.get(_answer_component(answer) or "")
            if not status.startswith("2") or produced is None:
                continue
            primary = next(iter(produced))
            links: dict[str, Any] = {}
            for _target_path, _target_method, target in operations:
                names = _path_parameters(target)
                if target is source or primary not in names or not set(names) <= own | set(produced):
                    continue
                parameters = {
                    f"path.{name}": f"$response.body#{produced[name]}" if name in produced else f"$request.path.{name}"
                    for name in names
                }
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": parameters,
                    "description": f"`{primary}` is the `id` of this answer."
                    if produced[primary] == "/id"
                    else f"`{primary}` is this answer's `{produced[primary].strip('/').replace('/', '.')}`.",
                }
            if links:
                answer["links"] = links
    return result
