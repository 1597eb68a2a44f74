"""The JSON shapes of templates and installations in API answers."""

from core.time import iso_utc

from .library import CATEGORIES, Template


def category_representation(key: str, count: int) -> dict:
    zh, en = CATEGORIES[key]
    return {"key": key, "title": {"zh": zh, "en": en}, "count": count}


def template_summary(template: Template, needs: list[dict]) -> dict:
    zh, en = CATEGORIES[template.category]
    titles = {n["connector"]: n["connector_title"] for n in needs}
    return {
        "key": template.slug,
        "recipe": template.recipe,
        "version": template.version,
        "title": template.title,
        "description": template.description,
        "category": template.category,
        "category_title": {"zh": zh, "en": en},
        "tags": list(template.tags),
        "connectors": template.connectors,
        "connector_titles": [titles[key] for key in template.connectors],
        "trigger": template.document["trigger"]["type"],
        "nodes": len(template.document.get("nodes", [])),
        "parameters": [p.as_dict() for p in template.parameters],
        "ready": all(n["present"] for n in needs),
        "missing_connectors": [n["connector"] for n in needs if not n["present"]],
    }


def template_representation(template: Template, needs: list[dict]) -> dict:
    return {
        **template_summary(template, needs),
        "changelog": list(template.changelog),
        "needs": needs,
        "document": template.document,
        "fixtures": [
            {"name": f["name"], "description": f.get("description", {}), "expect": f.get("expect", {})}
            for f in template.fixtures
        ],
    }


def installation_representation(installation, latest: int | None) -> dict:
    return {
        "flow": installation.flow_id,
        "flow_name": installation.flow.name,
        "template": installation.template,
        "version": installation.version,
        "latest_version": latest,
        "update_available": latest is not None and latest > installation.version,
        "params": installation.params,
        "connections": installation.connections,
        "installed_at": iso_utc(installation.installed_at),
        "updated_at": iso_utc(installation.updated_at),
    }
