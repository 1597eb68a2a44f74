"""The error answers every operation can give, documented once for the whole schema.

Every refusal is the error body ``{"code", "message", "details"}`` (``core.api.errors``), and
some are given before any view runs — a malformed or oversized body, a NUL in the query, a
missing or expired token, a lockout, the database out of reach — so no view's own
``extend_schema`` lists them. This postprocessing hook adds them to each operation where they
can happen, with the ``Error`` schema, and gives the ``Error`` schema to the error statuses views
documented without one:

- 400 everywhere (a query parameter, a header or the body is refused);
- 401 and 403 where the operation needs a login; 429 on the logins (too many failures); 403 on
  the session login and logout (CSRF);
- 404 where the path or the body names something (it may not exist);
- 409 on every write (the state it acts on may have moved on: decided, closed, taken);
- 413 and 415 where the operation takes a body;
- 414 everywhere (the URL is longer than ``ORDERFLOW_MAX_URL_BYTES``; past the web server's own
  cap on the request line, 8,190 bytes, the server answers 414 itself with an HTML page, which is
  documented as that answer's second content type);
- 503 everywhere (the database is unreachable, out of connections or out of space).
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: a stable `code`, a `message` in the request's language, and `details` "
    "naming the offending fields.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": {}},
    },
    "required": ["code", "message", "details"],
}
_REF = {"$ref": "#/components/schemas/Error"}
_DESCRIPTIONS = {
    "400": "The request is not valid (a parameter, a header or the body); `details` names the fields.",
    "401": "Not logged in, or the token is unknown, revoked or expired.",
    "403": "The caller's role does not allow this.",
    "404": "Nothing with this id.",
    "409": "The request conflicts with the current state.",
    "413": "The request body is too large.",
    "414": "The URL (path and query string) is longer than the server takes (4,096 bytes by default). "
    "A request line over 8,190 bytes is refused by the web server itself, before the application: "
    "then the answer is an HTML page (`text/html`).",
    "415": "The body's content type is not accepted.",
    "429": "Too many failed logins for this username from this address; `Retry-After` says when to retry.",
    "503": "The database is unavailable for the moment; retry later (`Retry-After`).",
}
_METHODS = ("get", "put", "post", "patch", "delete")
_SESSION = "/api/v1/auth/session/"
_LOGINS = ("/api/v1/auth/token/", _SESSION)


# gunicorn's own refusal of a request line over its cap (orderflow.gunicorn_conf): not the error body.
_SERVER_PAGE = {"text/html": {"schema": {"type": "string"}}}


def _error_answer(status: str) -> dict:
    content: dict = {"application/json": {"schema": _REF}}
    if status == "414":
        content.update(_SERVER_PAGE)
    return {"description": _DESCRIPTIONS.get(status, "Refused."), "content": content}


def document_error_answers(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    global_security = result.get("security")
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            needs_login = operation.get("security", global_security) not in ([], [{}], None)
            takes_body = "requestBody" in operation
            names_something = any(p.get("in") == "path" for p in operation.get("parameters", []))
            wanted = {"400", "414", "503"}
            if needs_login:
                wanted |= {"401", "403"}
            if path in _LOGINS and method == "post":
                wanted |= {"401", "429"}
            if path == _SESSION and method != "get":
                wanted.add("403")  # the session login and logout are CSRF-protected: a post without the token
            if names_something or takes_body:
                wanted.add("404")  # the path's id, or an id or code the body names (an order, a warehouse)
            if takes_body:
                wanted |= {"413", "415"}
            if method != "get":
                wanted.add("409")  # a write may find the state moved on (decided, closed, taken)
            for status in sorted(wanted):
                responses.setdefault(status, _error_answer(status))
            for status, answer in responses.items():
                if status.startswith(("4", "5")) and not _documents_error_body(answer):
                    responses[status] = _error_answer(status)
    return result


def _documents_error_body(answer: dict) -> bool:
    return answer.get("content", {}).get("application/json", {}).get("schema") == _REF
