"""Installing a template as a flow, and updating an installed flow to the template's newer version.

``template_install`` validates the operator's answers (each parameter by its type, each connection
by its connector), writes them into the template's document and creates the flow through the
builder's own service (so it is sealed, audited and validated like any flow), remembers the
template and version in an ``Installation``, optionally test-runs the draft on a real recent event
(the runtime's dry run: nothing written, nothing sent) and then publishes it switched on — or
leaves it as a draft. A needed connector without a connection never fails the install silently:
with ``enable`` it is refused with what to connect and where (``ConnectionMissing``); as a draft
the flow is saved without it, and the answer says what to connect before publishing.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from builder import services as flow_services
from builder.diff import document_diff
from builder.models import Flow
from builder.pickers import picker_value_exists
from builder.redaction import document_problems
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_list
from commerce.outbox.models import OutboxEvent
from connectors.models import Connection
from connectors.registry import connector as connector_named
from core.actors import Actor
from runtime import dryrun

from .errors import ConnectionMissing, InstallationNotFound, InvalidParameters, TemplateNotFound, UpToDate
from .library import Parameter, Template, coerce, read_back, render, template_get
from .models import Installation

CONNECTIONS_PAGE = "/app/connections"


def template_or_404(slug: str) -> Template:
    template = template_get(slug)
    if template is None:
        raise TemplateNotFound(details={"template": slug})
    return template


def connector_title(key: str) -> dict:
    found = connector_named(key)
    return {"zh": found.name_zh, "en": found.name_en} if found is not None else {"zh": key, "en": key}


def connection_needs(template: Template) -> list[dict]:
    """Each connection the template needs: the usable connections of its connector, or what to connect."""
    needs = []
    for needed in template.connections:
        rows = Connection.objects.filter(connector=needed.connector, enabled=True).order_by("-sandbox", "name")
        options = [{"id": c.pk, "name": c.name, "sandbox": c.sandbox} for c in rows]
        title = connector_title(needed.connector)
        needs.append(
            {
                **needed.as_dict(),
                "connector_title": title,
                "present": bool(options),
                "options": options,
                "connect_url": f"{CONNECTIONS_PAGE}/new/{needed.connector}",
                "explanation": None
                if options
                else {
                    "zh": f"需要先接入「{title['zh']}」：在「连接」页面新增一个{title['zh']}连接，再回来安装。",
                    "en": f"Connect {title['en']} first: add a {title['en']} connection on the Connections page, "
                    "then come back to install.",
                },
            }
        )
    return needs


# What each picker kind names, for an error that says what is missing.
PICKED = {
    "channel": "sales channel",
    "status": "order status",
    "queue": "ticket queue",
    "role": "role",
    "user": "active user",
    "warehouse": "warehouse",
    "sku": "active product (SKU)",
    "connection": "enabled connection",
    "ticket_priority": "ticket priority",
    "courier": "courier",
    "event": "available event",
}


def _picked_problem(parameter: Parameter, value) -> str | None:
    """What is wrong with a picker parameter's value that names nothing that exists, else None."""
    if parameter.picker is None or picker_value_exists(kind=parameter.picker, value=value) is not False:
        return None
    what = PICKED.get(parameter.picker, parameter.picker)
    return f"{parameter.title['en']}: there is no {what} {value!r}; pick one from the list"


def _checked_params(template: Template, given: dict) -> tuple[dict, dict]:
    """The parameters' values (defaults for those not given) and the problems of the given ones:
    each coerced by its type, and a picker's value checked to name something that exists."""
    values, problems = {}, {}
    for key in given:
        if template.parameter(key) is None:
            problems[f"params.{key}"] = "this template has no such parameter"
    for parameter in template.parameters:
        if parameter.key not in given:
            values[parameter.key] = parameter.default
            continue
        value, problem = coerce(parameter, given[parameter.key])
        problem = problem or _picked_problem(parameter, value)
        if problem:
            problems[f"params.{parameter.key}"] = problem
        else:
            values[parameter.key] = value
    return values, problems


def _checked_connections(template: Template, given: dict) -> tuple[dict, dict, list[dict]]:
    """(connection key → id, problems, the needs still missing a connection)."""
    chosen, problems, missing = {}, {}, []
    known = {n.key for n in template.connections}
    for key in given:
        if key not in known:
            problems[f"connections.{key}"] = "this template needs no such connection"
    needs = {n["key"]: n for n in connection_needs(template)}
    for needed in template.connections:
        value = given.get(needed.key)
        if value is None:
            options = needs[needed.key]["options"]
            if options:
                chosen[needed.key] = options[0]["id"]  # the only one, or the sandbox first
            else:
                missing.append(needs[needed.key])
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems[f"connections.{needed.key}"] = "expected a connection id"
            continue
        row = Connection.objects.filter(pk=value).first()
        if row is None:
            problems[f"connections.{needed.key}"] = f"no connection has id {value}"
        elif row.connector != needed.connector:
            problems[f"connections.{needed.key}"] = f"connection {value} is not a {needed.connector} connection"
        elif not row.enabled:
            problems[f"connections.{needed.key}"] = f"connection {value} is switched off"
        else:
            chosen[needed.key] = value
    return chosen, problems, missing


def latest_test_event(document: dict) -> dict | None:
    """A real recent event the flow would run on, as ``dryrun.test_context`` takes it, or None."""
    trigger = document["trigger"]
    if trigger["type"] == "event":
        event = OutboxEvent.objects.filter(name=trigger["event"]).order_by("-occurred_at", "-pk").first()
        return {"event_id": event.pk} if event is not None else None
    for_each = trigger.get("for_each")
    if trigger["type"] == "schedule" and for_each:
        filters = dict(for_each.get("filter", {}))
        filters.pop("status_older_than_minutes", None)
        order = order_list(filters=filters).order_by("-created_at", "-id").first()
        return {"order": order_representation(order)} if order is not None else None
    return None


def _test_run(flow: Flow, test_event) -> dict | None:
    if test_event is None:
        return None
    event = latest_test_event(flow.draft) if test_event == "latest" else test_event
    if event is None:
        return {"ran": False, "reason": "no recent event of this trigger to try the flow on"}
    return {"ran": True, **dryrun.flow_test_run(flow_id=flow.pk, event=event)}


def template_install(
    *,
    slug: str,
    user: User,
    params: dict,
    connections: dict,
    enable: bool,
    name: str | None = None,
    test_event=None,
) -> dict:
    """Installs the template as a new flow; answers ``{flow, installation, test_run, missing_connections}``.

    Raises ``InvalidParameters`` (nothing created) for a wrong answer and ``ConnectionMissing``
    when ``enable`` is asked and a needed connector has no connection.
    """
    template = template_or_404(slug)
    values, problems = _checked_params(template, params)
    chosen, connection_problems, missing = _checked_connections(template, connections)
    problems.update(connection_problems)
    if problems:
        raise InvalidParameters(details=problems)
    if missing and enable:
        raise ConnectionMissing(
            details={
                "missing": [
                    {
                        "connector": m["connector"],
                        "connector_title": m["connector_title"],
                        "explanation": m["explanation"],
                        "connect_url": m["connect_url"],
                    }
                    for m in missing
                ]
            }
        )
    document = render(template, values, chosen)
    if name:
        document["name"] = name
    actor = Actor.user(user)
    with transaction.atomic():
        flow = flow_services.flow_create(owner=user, definition=document, actor=actor)
        Installation.objects.create(
            flow=flow,
            template=template.slug,
            version=template.version,
            params=values,
            connections=chosen,
            installed_by=user,
        )
        test_run = _test_run(flow, test_event)
        if enable:
            flow_services.flow_publish(
                flow_id=flow.pk,
                user=user,
                notes=f"template {template.slug} v{template.version}",
                enable=True,
                actor=actor,
            )
    return {"flow": Flow.objects.get(pk=flow.pk), "test_run": test_run, "missing_connections": missing}


_LARGEST_ID = 2**63 - 1  # past it no row can have the id (and SQLite cannot even bind it)


def installation_get(flow_id: int) -> Installation:
    installation = (
        Installation.objects.select_related("flow").filter(flow_id=flow_id).first() if flow_id <= _LARGEST_ID else None
    )
    if installation is None:
        raise InstallationNotFound(details={"flow": flow_id})
    return installation


def update_preview(installation: Installation) -> dict:
    """The installed flow next to the template's latest version, with the operator's answers kept."""
    template = template_get(installation.template)
    latest = template.version if template is not None else None
    answer = {
        "flow": installation.flow_id,
        "template": installation.template,
        "installed_version": installation.version,
        "latest_version": latest,
        "update_available": latest is not None and latest > installation.version,
        "changelog": [],
        "diff": None,
        "document": None,
    }
    if answer["update_available"]:
        assert template is not None
        document = _updated_document(template, installation)
        answer["changelog"] = [c for c in template.changelog if c["version"] > installation.version]
        answer["diff"] = document_diff(installation.flow.draft, document)
        answer["document"] = document
    return answer


def _updated_document(template: Template, installation: Installation) -> dict:
    """The latest template with the operator's answers: as installed, and as since changed in the editor."""
    params, connections = read_back(template, installation.flow.draft)
    kept = {**installation.params, **params}
    values = {}
    for parameter in template.parameters:
        if parameter.key in kept:
            value, problem = coerce(parameter, kept[parameter.key])
            if problem is None:
                values[parameter.key] = value
    chosen = {**installation.connections, **{k: v for k, v in connections.items() if isinstance(v, int)}}
    document = render(template, values, chosen)
    document["name"] = installation.flow.draft.get("name", document["name"])
    return document


def installation_update(*, flow_id: int, user: User) -> dict:
    """Replaces the draft with the template's latest version (answers kept) and, if the flow was
    published, publishes it again (it stays on or off as it was)."""
    with transaction.atomic():
        installation = installation_get(flow_id)
        Installation.objects.select_for_update().filter(pk=installation.pk).first()
        template = template_or_404(installation.template)
        if template.version <= installation.version:
            raise UpToDate(details={"version": installation.version})
        document = _updated_document(template, installation)
        actor = Actor.user(user)
        flow_services.flow_update_draft(flow_id=flow_id, definition=document, actor=actor)
        if installation.flow.current_version_id is not None and not document_problems(document):
            flow_services.flow_publish(
                flow_id=flow_id, user=user, notes=f"template {template.slug} v{template.version}", actor=actor
            )
        params, connections = read_back(template, document)
        installation.version = template.version
        installation.params = params
        installation.connections = connections
        installation.updated_at = timezone.now()
        installation.save(update_fields=["version", "params", "connections", "updated_at"])
    return update_preview(installation)
