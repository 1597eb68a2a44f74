"""The API fuzzed from its own OpenAPI schema with schemathesis, against a live server on PostgreSQL.

    python tests/fuzz/schema_fuzz.py [--max-examples 8] [--seed N] [--stateful-examples 60] [--only operator,…]

A throwaway database gets one user per role with an API token and one real row of everything a
URL names (``tests/fuzz/world.py``); every path parameter is pinned to that row's id, so
generated calls reach the views rather than all answering 404. gunicorn serves the project as
``make run`` does (Django's WSGI handler, the psycopg pool). schemathesis then runs once without a
token and once as each role — the destructive role (admin) last — every operation with at most
``--max-examples`` cases per phase (the coverage phase makes its own: every boundary the schema
gives), with these checks: no 5xx; every status documented; every answer, 4xx included, matching
the schema (the error body is the ``Error`` schema); content types and headers as documented;
operations that need a login refusing calls without one; a deleted resource gone, a created one
there.

The stateful phase (``--stateful-examples`` scenarios of at most ``--stateful-steps`` calls) follows
the OpenAPI links the schema declares (``core.api.schema_links``: from what a write answers with to
the operations that take its id), so it chains the ids of rows it created itself: an order created,
then moved on, held, released, noted, tagged and read; a flow duplicated, updated and deleted.

Requests whose request line would pass gunicorn's own cap (8,190 bytes, ``orderflow.gunicorn_conf``)
are not sent (``tests/fuzz/hooks.py``; counted as "not sent"): gunicorn refuses them itself with an
HTML 414 the schema documents, checked in ``tests/core/api/test_url_length.py``. Up to the cap,
Django answers an over-long URL with its own 414 and the error body, and that is fuzzed.

Left out, and why: ``positive_data_acceptance`` (a schema-valid body may still name an unknown
SKU or a status the order cannot move to: 400/404/409 with the error body are right answers);
``negative_data_rejection`` (DRF is lenient where the schema is strict, by design of its fields:
a number posted for a text field is taken as its text, an empty query filter or an unusable
``page_size`` is ignored rather than refused — answered 200, never 5xx, and changing it is a
change of the API's contract, not a fault); and
``POST /api/v1/auth/token/revoke/`` in the runs with a token (it would revoke the run's own
token; the anonymous run calls it, ``tests/core/accounts/test_tokens.py`` covers it).

Prints a summary per identity (operations, test cases, failures; the stateful phase's scenarios and
links followed) and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import harness as h  # noqa: E402

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
]
IDENTITIES = (None, "manager", "finance", "supervisor", "operator", "admin")
REVOKE_OWN = "/api/v1/auth/token/revoke/"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HOOKS = Path(__file__).with_name("hooks.py")


def _config(path: Path, *, stateful_examples: int, stateful_steps: int) -> Path:
    """The stateful phase's own budget, following only the links the schema declares
    (``core.api.schema_links``: schemathesis' own inference guessed 891 links from field names, and
    none was followed in a run). The seeded rows' ids are put in the paths by ``hooks.map_case``,
    not by a ``[parameters]`` table: schemathesis applies that to the stateful phase's steps too,
    overwriting the ids its links brought."""
    lines = [
        "[phases.stateful]",
        f"max-steps = {stateful_steps}",
        "",
        "[phases.stateful.generation]",
        f"max-examples = {stateful_examples}",
        "",
        "[phases.stateful.inference]",
        "algorithms = []",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _schema(base: str, token: str, path: Path) -> dict:
    request = urllib.request.Request(f"{base}/api/schema/?format=json", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        schema = json.load(answer)
    path.write_text(json.dumps(schema))
    return schema


def _run(identity, *, args, base, schema_path, config_path, token, world: dict, report_dir: Path) -> dict:
    name = identity or "anonymous"
    junit = report_dir / f"{name}.xml"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config_path),
        "run",
        str(schema_path),
        "--url",
        base,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(args.max_examples),
        "--phases",
        # Without a token every create answers 401: the stateful phase would have nothing to chain.
        args.phases if token else ",".join(p for p in args.phases.split(",") if p != "stateful"),
        "--workers",
        str(args.workers),
        "--seed",
        str(args.seed),
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--continue-on-failure",
        "--no-color",
        "--warnings",
        "off",
        "-H",
        "Accept-Language: en",
    ]
    if token:
        command += ["-H", f"Authorization: Token {token}", "--exclude-path", REVOKE_OWN]
    dropped_log, stateful_log = report_dir / f"{name}.dropped", report_dir / f"{name}.stateful"
    dropped_log.unlink(missing_ok=True)
    stateful_log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "FUZZ_DROPPED_LOG": str(dropped_log),
        "FUZZ_STATEFUL_LOG": str(stateful_log),
        "FUZZ_WORLD": json.dumps(world),
        "PYTHONPATH": str(REPO),
    }
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=args.timeout)
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    (report_dir / f"{name}.log").write_text(output)
    dropped = len(dropped_log.read_text().splitlines()) if dropped_log.exists() else 0
    steps = [line.split() for line in stateful_log.read_text().splitlines()] if stateful_log.exists() else []
    return {
        "identity": name,
        "seconds": seconds,
        "exit": done.returncode,
        "dropped": dropped,
        "steps": len(steps),
        # a call whose path id came from an earlier answer (a link), and of those, the ones answered 2xx
        "chained": sum(1 for step in steps if step[3] == "1"),
        "chained_ok": sum(1 for step in steps if step[3] == "1" and step[2].startswith("2")),
        **_summary(output),
    }


def _summary(output: str) -> dict:
    """The figures of schemathesis' closing summary: operations tested, test cases, failures."""
    found = {"operations": None, "cases": None, "failures": 0, "errors": 0}
    tested = re.search(r"API Operations:\s+Selected: \d+/\d+\s+Tested: (\d+)", output)
    if tested:
        found["operations"] = int(tested.group(1))
    cases = re.search(r"Test cases:\s+(\d+) generated, (\d+) found (\d+) unique failures?", output)
    if cases:
        found["cases"], found["failures"] = int(cases.group(1)), int(cases.group(3))
    else:
        plain = re.search(r"Test cases:\s+(\d+) generated", output)
        found["cases"] = int(plain.group(1)) if plain else None
    errors = re.search(r"Errors:\s+(\d+)", output)
    if errors:
        found["errors"] = int(errors.group(1))
    elif "\nErrors:\n" in output:
        # The closing summary lists errors by kind ("🚫 Runtime Error: 1") up to the next blank line.
        block = output[output.rindex("\nErrors:\n") + len("\nErrors:\n") :].split("\n\n", 1)[0]
        found["errors"] = sum(int(n) for n in re.findall(r": (\d+)\s*$", block, re.MULTILINE))
    stateful = output[output.find("Stateful (") :] if "Stateful (" in output else ""
    scenarios = re.search(r"Scenarios:\s+(\d+)", stateful)
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total", stateful)
    found["scenarios"] = int(scenarios.group(1)) if scenarios else None
    found["links_covered"], found["links"] = (int(links.group(1)), int(links.group(3))) if links else (None, None)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=8, help="test cases per operation and phase (default 8)")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument(
        "--stateful-examples", type=int, default=60, help="scenarios of the stateful phase per identity (default 60)"
    )
    parser.add_argument("--stateful-steps", type=int, default=8, help="calls at most in one scenario (default 8)")
    # One worker by default: with two, schemathesis' threads parse lambdas' source at once (hypothesis
    # describes its strategies) and CPython 3.11 fails inside ast.parse ("AST constructor recursion
    # depth mismatch") — a crash of the generator, not a finding; it ended one role's run in CI.
    parser.add_argument(
        "--workers", type=int, default=1, help="concurrent schemathesis workers (default 1; see the comment)"
    )
    parser.add_argument("--seed", type=int, default=20261206, help="hypothesis seed: the same run twice")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one identity's run may take")
    parser.add_argument("--only", help="comma-separated identities (anonymous, manager, …): only these")
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL, help="a PostgreSQL URL whose server may CREATE DATABASE")
    parser.add_argument("--report-dir", default=str(REPO / "var" / "fuzz"), help="logs and JUnit reports go here")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    identities = IDENTITIES
    if args.only:
        wanted = set(args.only.split(","))
        identities = tuple(i for i in IDENTITIES if (i or "anonymous") in wanted)

    # The server's queue stays in its own database: no shared Redis, no worker.
    os.environ.pop("REDIS_URL", None)
    os.environ["ORDERFLOW_Q_NAME"] = f"fuzz-{os.getpid()}"
    os.environ["ORDERFLOW_STOCK_SYNC_ON_EVENTS"] = "0"
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        h.django_setup(db_url)
        from django.db import connections

        from tests.fuzz.world import seed_world

        world = seed_world()
        connections.close_all()
        with h.WebServers(db_url=db_url, procs=1) as servers, tempfile.TemporaryDirectory() as scratch:
            base = f"http://127.0.0.1:{servers.ports[0]}"
            schema_path = Path(scratch) / "openapi.json"
            schema = _schema(base, world.tokens["admin"], schema_path)
            config_path = _config(
                Path(scratch) / "schemathesis.toml",
                stateful_examples=args.stateful_examples,
                stateful_steps=args.stateful_steps,
            )
            operations = [
                operation
                for item in schema["paths"].values()
                for m, operation in item.items()
                if m in ("get", "post", "put", "patch", "delete")
            ]
            links = sum(len(answer.get("links", {})) for op in operations for answer in op["responses"].values())
            print(
                f"# schema: {len(operations)} operations, {links} links; server {base}; "
                f"database {db_url.rsplit('/', 1)[-1]}"
            )
            for identity in identities:
                token = world.tokens[identity] if identity else None
                result = _run(
                    identity,
                    args=args,
                    base=base,
                    schema_path=schema_path,
                    config_path=config_path,
                    token=token,
                    world={
                        "channel": world.channel,
                        "skus": world.skus,
                        "refundable_order_id": world.refundable_order_id,
                        "ids": world.ids,
                    },
                    report_dir=report_dir,
                )
                results.append(result)
                print(
                    f"{result['identity']:<11} operations {result['operations']}, test cases {result['cases']}, "
                    f"failures {result['failures']}, errors {result['errors']}; stateful: scenarios "
                    f"{result['scenarios']}, calls {result['steps']}, on a linked id {result['chained']} "
                    f"({result['chained_ok']} answered 2xx), links followed {result['links_covered']} of "
                    f"{result['links']}; "
                    f"over the server's cap, not sent {result['dropped']}; {result['seconds']:.0f} s"
                    f" (exit {result['exit']}; log {report_dir / (result['identity'] + '.log')})",
                    flush=True,
                )
    cases = sum(r["cases"] or 0 for r in results)
    failures = sum(r["failures"] for r in results)
    errors = sum(r["errors"] for r in results)
    print(
        f"total: {len(results)} runs, test cases {cases}, failures {failures}, errors {errors}; stateful calls "
        f"{sum(r['steps'] for r in results)}, on a linked id {sum(r['chained'] for r in results)} "
        f"({sum(r['chained_ok'] for r in results)} answered 2xx)"
    )
    return 0 if all(r["exit"] == 0 for r in results) and failures == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
