"""The schema's OpenAPI links (``core.api.schema_links``): from what a write answers with to the
operations that take its id — each link names an operation that exists, fills exactly that
operation's path parameters, and points at a field the answer's schema has; and followed for real,
a created order's link reaches it."""

import pytest
from rest_framework.test import APIClient

from core.api.schema_links import PRODUCES
from tests.factories import make_user, order_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    client = APIClient()
    client.force_authenticate(make_user("link-reader", "manager"))
    return client.get("/api/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _links(schema):
    for path, method, operation in _operations(schema):
        for status, answer in operation["responses"].items():
            for name, link in answer.get("links", {}).items():
                yield (method, path, status), answer, name, link


def _walk(schema, node, pointer: str):
    for part in pointer.strip("/").split("/"):
        while "$ref" in node or "allOf" in node:
            node = (
                schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node["allOf"][0]
            )
        assert part in node.get("properties", {}), (pointer, part)
        node = node["properties"][part]
    return node


def test_every_link_names_a_real_operation_and_fills_its_path(schema):
    by_id = {operation["operationId"]: (path, operation) for path, _method, operation in _operations(schema)}
    count = 0
    for source, answer, name, link in _links(schema):
        count += 1
        assert link["operationId"] == name and name in by_id, (source, name)
        _path, target = by_id[name]
        wanted = {f"path.{p['name']}" for p in target.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) == wanted, (source, name)
        for expression in link["parameters"].values():
            if expression.startswith("$response.body#"):
                field = _walk(schema, answer["content"]["application/json"]["schema"], expression.split("#", 1)[1])
                assert field.get("type") in ("integer", "string"), (source, name, expression)
            else:
                assert expression.startswith("$request.path."), expression
                assert expression.removeprefix("$request.path.") in source[1], (source, expression)
    assert count > 300


def test_the_creates_link_to_their_reads_transitions_and_deletes(schema):
    def targets(method, path, status):
        return set(schema["paths"][path][method]["responses"][status].get("links", {}))

    assert {
        "v1_orders_retrieve",
        "v1_orders_transition_create",
        "v1_orders_hold_create",
        "v1_orders_timeline_list",
    } <= targets("post", "/api/v1/orders/", "201")
    assert {"v1_flows_retrieve", "v1_flows_publish_create", "v1_flows_run_create", "v1_flows_destroy"} <= targets(
        "post", "/api/v1/flows/", "201"
    )
    assert {"v1_executions_retrieve", "v1_executions_replay_create"} <= targets(
        "post", "/api/v1/flows/{flow_id}/run/", "201"
    )
    assert {"v1_refunds_retrieve", "v1_refunds_approve_create", "v1_refunds_reject_create"} <= targets(
        "post", "/api/v1/refunds/", "201"
    )
    assert {"v1_connections_retrieve", "v1_connections_destroy", "v1_connections_test_create"} <= targets(
        "post", "/api/v1/connections/", "201"
    )
    assert {"v1_board_views_retrieve", "v1_board_views_destroy"} <= targets("post", "/api/v1/board-views/", "201")
    evidence = schema["paths"]["/api/v1/refunds/{refund_id}/evidence/"]["post"]["responses"]["201"]["links"]
    assert evidence["v1_refunds_evidence_destroy"]["parameters"] == {
        "path.evidence_id": "$response.body#/id",
        "path.refund_id": "$request.path.refund_id",
    }
    # reads answer with links of their own only where they write; a list has none
    assert all("links" not in a for a in schema["paths"]["/api/v1/orders/"]["get"]["responses"].values())


def test_every_produced_component_is_in_the_schema(schema):
    assert set(PRODUCES) <= set(schema["components"]["schemas"])


def test_following_a_created_orders_link_reaches_it(schema, operator_client, channel, stocked):
    assert channel.code == "tmall"
    link = schema["paths"]["/api/v1/orders/"]["post"]["responses"]["201"]["links"]["v1_orders_retrieve"]
    created = operator_client.post("/api/v1/orders/", order_payload(external_id="LINK-1"), format="json")
    assert created.status_code == 201, created.content
    pointer = link["parameters"]["path.order_id"].split("#", 1)[1].strip("/")

    followed = operator_client.get(f"/api/v1/orders/{created.json()[pointer]}/")

    assert (followed.status_code, followed.json()["external_id"]) == (200, "LINK-1")
