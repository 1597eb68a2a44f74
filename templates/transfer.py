"""Export and import of flows as a file (``orderflow.flows/v1``): one flow or a whole set.

An export carries each flow's draft without any secret (``builder.redaction.export_document``) and,
for each connection the flow names by id, that connection's connector and name — ids mean nothing
in another installation. An import maps each of those onto a connection of the same connector here
(the same name first), and refuses the whole file — creating nothing — when a flow names an action
this installation does not have, or a connector it has no connection of; each problem says so in
words, in the request's language. Any other problem of a document does not stop the import: the
drafts are saved, and each answers its own ``problems`` as any draft does. A single flow document
(``orderflow.flow/v1``, a marketplace ``flow.json``) is accepted as a file of one flow.
"""

from __future__ import annotations

import copy

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from builder import services as flow_services
from builder.catalog import action_spec
from builder.models import Flow
from builder.redaction import export_document
from builder.schema import FORMAT as DOCUMENT_FORMAT
from connectors.models import Connection
from core.actors import Actor
from core.time import iso_utc

from .errors import InvalidImport
from .library import pointer_set
from .services import connector_title

FILE_FORMAT = "orderflow.flows/v1"
MAX_FLOWS = 50


def _say(zh: str, en: str) -> str:
    return zh if (get_language() or "").lower().startswith("zh") else en


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def connection_refs(document: dict) -> list[tuple[str, str, int]]:
    """Every connection id an action node names: (node id, pointer, id), in document order."""
    found: list[tuple[str, str, int]] = []

    def walk(value, path: str, node_id: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                here = f"{path}/{_escape(str(key))}"
                if key == "connection" and isinstance(inner, int) and not isinstance(inner, bool):
                    found.append((node_id, here, inner))
                else:
                    walk(inner, here, node_id)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{path}/{i}", node_id)

    nodes = document.get("nodes") if isinstance(document, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, dict) and isinstance(node.get("id"), str) and isinstance(node.get("params"), dict):
            walk(node["params"], f"/nodes/{_escape(node['id'])}/params", node["id"])
    return found


def flows_export(flows: list[Flow]) -> dict:
    """The file of ``flows``: their drafts without secrets, and what each named connection is."""
    rows = {
        c.pk: c for c in Connection.objects.filter(pk__in={ref[2] for f in flows for ref in connection_refs(f.draft)})
    }
    entries = []
    for flow in flows:
        connections = []
        for node_id, pointer, connection_id in connection_refs(flow.draft):
            row = rows.get(connection_id)
            connections.append(
                {
                    "node": node_id,
                    "pointer": pointer,
                    "connector": row.connector if row else None,
                    "name": row.name if row else None,
                }
            )
        installation = getattr(flow, "installation", None)
        entries.append(
            {
                "document": export_document(copy.deepcopy(flow.draft)),
                "connections": connections,
                "template": {"slug": installation.template, "version": installation.version} if installation else None,
            }
        )
    return {"format": FILE_FORMAT, "exported_at": iso_utc(timezone.now()), "flows": entries}


def _entries(file) -> list[dict]:
    if isinstance(file, dict) and file.get("format") == DOCUMENT_FORMAT:
        return [{"document": file, "connections": None}]
    if not isinstance(file, dict) or file.get("format") != FILE_FORMAT:
        raise InvalidImport(
            _say(
                f"这不是订单流的流程文件：需要 format 为 {FILE_FORMAT}（一组流程）或 {DOCUMENT_FORMAT}（一个流程）。",
                f"This is not an Orderflow flow file: its format must be {FILE_FORMAT} (a set of flows) "
                f"or {DOCUMENT_FORMAT} (one flow).",
            ),
            details={"file": "unknown format"},
        )
    flows = file.get("flows")
    if not isinstance(flows, list) or not 1 <= len(flows) <= MAX_FLOWS:
        raise InvalidImport(
            _say(f"文件里需要有 1 到 {MAX_FLOWS} 个流程。", f"The file must hold 1 to {MAX_FLOWS} flows."),
            details={"file.flows": f"a list of 1 to {MAX_FLOWS} flows"},
        )
    entries = []
    for i, entry in enumerate(flows):
        if not isinstance(entry, dict) or not isinstance(entry.get("document"), dict):
            raise InvalidImport(details={f"file.flows.{i}": "an object with the flow's document"})
        connections = entry.get("connections")
        if connections is not None and not (
            isinstance(connections, list) and all(isinstance(c, dict) for c in connections)
        ):
            raise InvalidImport(details={f"file.flows.{i}.connections": "a list of objects"})
        entries.append({"document": entry["document"], "connections": connections})
    return entries


def _node_words(node_id: str) -> tuple[str, str]:
    return f"步骤「{node_id}」", f"step {node_id!r}"


def _map_connections(document: dict, described: list[dict] | None) -> list[str]:
    """Rewrites the document's connection ids to this installation's; the problems, in words."""
    problems = []
    by_pointer = {c.get("pointer"): c for c in described or [] if isinstance(c.get("pointer"), str)}
    for node_id, pointer, connection_id in connection_refs(document):
        zh_node, en_node = _node_words(node_id)
        wanted = by_pointer.get(pointer)
        if wanted is not None and isinstance(wanted.get("connector"), str):
            candidates = Connection.objects.filter(connector=wanted["connector"], enabled=True)
            row = (
                candidates.filter(name=wanted.get("name") or "").first()
                or candidates.order_by("-sandbox", "pk").first()
            )
            if row is None:
                title = connector_title(wanted["connector"])
                problems.append(
                    _say(
                        f"{zh_node}需要「{title['zh']}」的连接，这里还没有：请先在「连接」页面接入{title['zh']}。",
                        f"{en_node.capitalize()} needs a {title['en']} connection and there is none here: "
                        f"connect {title['en']} on the Connections page first.",
                    )
                )
                continue
            pointer_set(document, pointer, row.pk)
        elif not Connection.objects.filter(pk=connection_id, enabled=True).exists():
            problems.append(
                _say(
                    f"{zh_node}使用的连接（编号 {connection_id}）在这里不存在：导入后请在该步骤里选择一个连接。",
                    f"{en_node.capitalize()} uses connection #{connection_id}, which does not exist here: "
                    "choose a connection in that step.",
                )
            )
    return problems


def _missing_actions(document: dict) -> list[str]:
    problems = []
    for node in document.get("nodes") or []:
        if isinstance(node, dict) and node.get("type") == "action" and isinstance(node.get("action"), str):
            if action_spec(node["action"]) is None:
                zh_node, en_node = _node_words(str(node.get("id")))
                problems.append(
                    _say(
                        f"{zh_node}使用的动作「{node['action']}」在这里不存在（所需的连接器或功能尚未安装）。",
                        f"{en_node.capitalize()} uses the action {node['action']!r}, which this installation "
                        "does not have (its connector or feature is not installed).",
                    )
                )
    return problems


def flows_import(*, file, user: User) -> list[Flow]:
    """Creates a draft flow for each flow of the file, or none: ``InvalidImport`` names every problem."""
    entries = _entries(file)
    problems: list[dict] = []
    documents = []
    for i, entry in enumerate(entries):
        document = export_document(copy.deepcopy(entry["document"]))
        name = document.get("name") if isinstance(document.get("name"), str) else f"#{i + 1}"
        # Other problems do not stop an import: the drafts are saved and each lists its own problems.
        found = _missing_actions(document) + _map_connections(document, entry["connections"])
        problems.extend({"flow": i, "name": name, "message": message} for message in found)
        documents.append(document)
    if problems:
        raise InvalidImport(details={"problems": problems})
    actor = Actor.user(user)
    with transaction.atomic():
        return [flow_services.flow_import(owner=user, document=d, actor=actor) for d in documents]
