"""schemathesis hooks of the schema fuzz (loaded through ``SCHEMATHESIS_HOOKS`` by ``schema_fuzz.py``).

``filter_case``: a generated request whose request line would pass the web server's own cap
(gunicorn's ``limit_request_line``, 8,190 bytes: ``orderflow.gunicorn_conf``) is not sent. gunicorn
answers those itself with an HTML 414, before Django runs; the schema documents that answer, and
``tests/core/api/test_url_length.py`` checks it against a live gunicorn. Everything up to the cap is
sent, so Django's own 414 with the error body (past ``ORDERFLOW_MAX_URL_BYTES``, 4,096 bytes) is
fuzzed. Each case left out is one line in ``$FUZZ_DROPPED_LOG`` (the run's summary counts them).

``map_case``: bodies of the creates that name real rows (``REAL_ROWS``); ``after_call``: a log of the
stateful phase's calls, for the run's summary.
"""

from __future__ import annotations

import json
import os
import zlib

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from orderflow.gunicorn_conf import LIMIT_REQUEST_LINE

# Room for what the estimate below may miss of schemathesis' own serialisation of the query.
MARGIN = 256


def request_line_bytes(case) -> int:
    prepared = requests.PreparedRequest()
    prepared.prepare_url("http://fuzz.invalid" + case.formatted_path, case.query or None)
    return len(f"{case.method} {prepared.path_url} HTTP/1.1".encode())


@schemathesis.hook
def filter_case(context, case) -> bool:
    try:
        size = request_line_bytes(case)
    except Exception:  # noqa: BLE001 - a value requests cannot encode: let schemathesis send it as it would
        return True
    if size <= LIMIT_REQUEST_LINE - MARGIN:
        return True
    log = os.environ.get("FUZZ_DROPPED_LOG")
    if log:
        with open(log, "a") as out:
            out.write(f"{case.method} {case.path} {size}\n")
    return False


# --- bodies that name real rows -----------------------------------------------------------------
# A generated order names a made-up channel and SKUs, so every create answered 400/404 and nothing
# followed it. Two generated bodies in three (chosen from the body itself, so a case stays the same
# case when hypothesis replays it) get the seeded channel, SKUs and the refundable order instead:
# creates succeed, and the stateful phase follows their links with the ids they answer.
WORLD = json.loads(os.environ.get("FUZZ_WORLD", "{}"))
PINNED = WORLD.get("ids", {})


def _pick(body, count: int) -> int:
    return zlib.crc32(json.dumps(body, sort_keys=True, default=str).encode()) % count


def _real_order(body: dict) -> None:
    body["channel"] = WORLD["channel"]
    lines = body.get("lines")
    if isinstance(lines, list):
        for index, line in enumerate(lines):
            if isinstance(line, dict):
                line["sku"] = WORLD["skus"][index % len(WORLD["skus"])]
                if isinstance(line.get("quantity"), int):
                    line["quantity"] = 1 + line["quantity"] % 3


def _real_refund(body: dict) -> None:
    body["order"] = WORLD["refundable_order_id"]
    body["amount"] = "1.00"


def _real_connection(body: dict) -> None:
    body["connector"] = "shopify"
    body["credentials"], body["settings"], body["sandbox"] = {}, {}, True


REAL_ROWS = {
    ("POST", "/api/v1/orders/"): _real_order,
    ("POST", "/api/v1/refunds/"): _real_refund,
    ("POST", "/api/v1/connections/"): _real_connection,
}


def _path_from_a_link(case) -> bool:
    """A stateful step whose path parameters a link supplied (schemathesis generated none of them)."""
    meta = case.meta
    return (
        meta is not None
        and meta.phase.name.value == "stateful"
        and bool(case.path_parameters)
        and ParameterLocation.PATH not in meta.components
    )


@schemathesis.hook
def map_case(context, case):
    """Path ids pinned to the seeded rows — except where a link of the stateful phase supplied them
    (schemathesis' own ``[parameters]`` pinning would overwrite those too); bodies of ``REAL_ROWS``."""
    if case.path_parameters and not _path_from_a_link(case):
        case.path_parameters = {name: PINNED.get(name, value) for name, value in case.path_parameters.items()}
    fill = REAL_ROWS.get((case.method.upper(), case.path))
    meta = case.meta
    positive = meta is None or meta.generation.mode.value == "positive"
    if fill is not None and WORLD and positive and isinstance(case.body, dict) and _pick(case.body, 3):
        fill(case.body)
    return case


@schemathesis.hook
def after_call(context, case, response) -> None:
    """One line per call of the stateful phase in ``$FUZZ_STATEFUL_LOG``: method, path, status, and
    whether its path ids came from an earlier answer through a link."""
    log = os.environ.get("FUZZ_STATEFUL_LOG")
    meta = case.meta
    if not log or meta is None or meta.phase.name.value != "stateful":
        return
    with open(log, "a") as out:
        out.write(f"{case.method.upper()} {case.path} {response.status_code} {int(_path_from_a_link(case))}\n")
