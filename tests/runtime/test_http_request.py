"""``http.request`` against a local HTTP server on 127.0.0.1 (never the internet)."""

import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from core.actors import Actor
from core.crypto import is_sealed, reveal, seal
from runtime.actions import ActionRun
from runtime.actions.http import HttpRequest
from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution
from tests.factories import create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db

SECRET = "s3cret-signing-key"
LATER = (timezone.now() + timedelta(days=1)).replace(microsecond=0)


class Sink:
    """A local server that records each request, checks its signature and answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict, float]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                sink.requests.append(
                    {
                        "path": self.path,
                        "host": self.headers.get("Host"),
                        "body": body,
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                        "content_type": self.headers.get("Content-Type"),
                        "signature_ok": hmac.compare_digest(self.headers.get("X-Orderflow-Signature", ""), expected),
                    }
                )
                status, answer, pause = sink.answers.pop(0) if sink.answers else (200, {"ok": True}, 0.0)
                time.sleep(pause)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/orders/paid"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def local_calls_allowed(settings):
    """The sink listens on loopback, which the SSRF guard refuses unless allowed."""
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def sink():
    server = Sink()
    yield server
    server.close()


def _flow(url: str, retry=None, secret: str = SECRET):
    return publish(
        event_flow(
            "order.paid",
            [
                action(
                    "call",
                    "http.request",
                    {
                        "method": "POST",
                        "url": url,
                        "body": {"order": "{{ order.number }}", "total": "{{ order.total_amount }}"},
                        "sign_secret": secret,
                    },
                    retry=retry,
                )
            ],
        )
    )


def _execution(channel, external_id="H-1"):
    order = create_order(channel, external_id=external_id, status="paid")
    outbox_drain()
    return order, Execution.objects.get(subject_key=f"order:{order.pk}")


def test_the_request_is_signed_carries_the_idempotency_key_and_its_answer_is_the_output(channel, stocked, sink):
    _flow(sink.url)
    order, execution = _execution(channel)

    assert execution_run(execution_id=execution.pk) == "succeeded"

    [request] = sink.requests
    assert request["path"] == "/orders/paid"
    assert json.loads(request["body"]) == {"order": order.number, "total": "199.00"}
    assert request["content_type"] == "application/json"
    assert request["signature_ok"] is True
    assert request["idempotency_key"] == f"{execution.pk}:call"
    step = execution.steps.get()
    assert step.output == {"status": 200, "body": {"ok": True}}
    assert step.input["sign_secret"] == "********"
    assert step.input["url"] == sink.url


def test_server_errors_are_retried_with_the_same_idempotency_key(channel, stocked, sink):
    _flow(sink.url, retry={"max_attempts": 3, "backoff_seconds": 5})
    sink.answers = [(503, {"error": "busy"}, 0.0), (502, {"error": "gateway"}, 0.0)]
    _order, execution = _execution(channel)

    assert execution_run(execution_id=execution.pk, now=LATER) == "retrying"
    assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=5)) == "retrying"
    assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=15)) == "succeeded"

    assert [r["idempotency_key"] for r in sink.requests] == [f"{execution.pk}:call"] * 3
    assert [(s.attempt, s.status) for s in execution.steps.order_by("id")] == [
        (1, "failed"),
        (2, "failed"),
        (3, "succeeded"),
    ]
    assert execution.steps.get(attempt=1).error == {
        "code": "http_error",
        "message": "the server answered 503",
        "retryable": True,
        "details": {"status": 503, "body": '{"error": "busy"}'},
    }


def test_a_client_error_is_terminal(channel, stocked, sink):
    _flow(sink.url, retry={"max_attempts": 3, "backoff_seconds": 5})
    sink.answers = [(422, {"error": "no such order"}, 0.0)]
    _order, execution = _execution(channel)

    assert execution_run(execution_id=execution.pk) == "dead"
    assert len(sink.requests) == 1
    assert execution.steps.get().error["retryable"] is False


def test_a_timeout_is_retried(channel, stocked, sink, settings):
    settings.ORDERFLOW_HTTP_TIMEOUT = (2.0, 0.3)
    _flow(sink.url, retry={"max_attempts": 2, "backoff_seconds": 5})
    sink.answers = [(200, {"ok": True}, 1.0)]
    _order, execution = _execution(channel)

    assert execution_run(execution_id=execution.pk, now=LATER) == "retrying"
    assert execution.steps.get().error["code"] == "timeout"
    assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=5)) == "succeeded"


# --- the signing secret is sealed at rest and revealed only to sign ------------------------------


def test_the_secret_is_stored_sealed_and_never_recorded_or_logged(channel, stocked, sink, caplog):
    caplog.set_level(logging.DEBUG)
    flow = _flow(sink.url)
    _order, execution = _execution(channel)

    assert execution_run(execution_id=execution.pk) == "succeeded"

    stored = flow.current_version.document["nodes"][0]["params"]["sign_secret"]
    assert is_sealed(stored) and reveal(stored) == SECRET
    assert sink.requests[0]["signature_ok"] is True
    assert SECRET not in json.dumps([flow.draft, flow.current_version.document])
    assert SECRET not in json.dumps([[s.input, s.output, s.error] for s in execution.steps.all()])
    assert SECRET not in caplog.text


def test_a_secret_sealed_under_another_key_fails_the_step_clearly_and_sends_nothing(channel, stocked, sink, settings):
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    _flow(sink.url)
    _order, execution = _execution(channel)
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()

    assert execution_run(execution_id=execution.pk) == "dead"

    assert sink.requests == []
    assert execution.steps.get().error == {
        "code": "secret_unreadable",
        "message": "sign_secret: the token is garbled or was sealed under another key; enter the secret again",
        "retryable": False,
        "details": {},
    }


def test_the_request_goes_to_the_checked_address_with_the_name_in_the_host_header(sink, settings, monkeypatch):
    """A name is resolved once: the connection goes to the address that was checked (no DNS rebinding)."""
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo("127.0.0.1" if host == "rebind.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    port = sink.url.split(":")[2].split("/")[0]
    params = {
        "method": "POST",
        "url": f"http://rebind.test:{port}/orders/paid",
        "body": "hi",
        "sign_secret": seal(SECRET),
    }

    output = HttpRequest().perform(params, _run())

    assert output["status"] == 200
    assert lookups.count("rebind.test") == 1
    assert sink.requests[0]["host"] == f"rebind.test:{port}"
    assert sink.requests[0]["signature_ok"] is True


def _run() -> ActionRun:
    return ActionRun(
        execution_id=1, node_id="call", key="1:call", actor=Actor.system("test"), context={}, now=timezone.now()
    )
