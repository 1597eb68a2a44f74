"""``http.request``'s SSRF guard: internal addresses are refused before anything is sent."""

import datetime
import ssl
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from core.actors import Actor
from runtime.actions import ActionRun
from runtime.actions.http import HttpRequest, PinnedAdapter
from runtime.errors import RetryableFailure, TerminalFailure
from tests.runtime.test_http_request import Sink

FORBIDDEN = [
    ("http://127.0.0.1/", "127.0.0.1"),
    ("http://10.1.2.3/", "10.1.2.3"),
    ("http://192.168.0.10:8080/", "192.168.0.10"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://[::1]/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
    ("http://localhost/", "127.0.0.1"),
    ("http://2130706433/", "127.0.0.1"),
    ("http://0177.0.0.1/", "127.0.0.1"),
    ("http://0x7f000001/", "127.0.0.1"),
    ("http://0.0.0.0/", "0.0.0.0"),
    ("http://224.0.0.1/", "224.0.0.1"),
    ("http://100.64.0.1/", "100.64.0.1"),
    ("https://[fe80::1]/", "fe80::1"),
]


def _run() -> ActionRun:
    return ActionRun(
        execution_id=None, node_id="call", key="test:call", actor=Actor.system("test"), context={}, now=timezone.now()
    )


@pytest.fixture
def sink():
    server = Sink()
    yield server
    server.close()


@pytest.mark.parametrize("url, address", FORBIDDEN)
def test_internal_addresses_are_refused_in_a_run_and_in_a_preview(url, address):
    params = {"method": "POST", "url": url, "body": {"a": 1}}

    for attempt in (HttpRequest().perform, HttpRequest().preview):
        with pytest.raises(TerminalFailure) as refused:
            attempt(params, _run())

        assert refused.value.code == "forbidden_address"
        assert refused.value.retryable is False
        assert address in refused.value.details["addresses"]


def test_a_refused_call_sends_nothing(sink, settings):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = []
    for url in (sink.url, sink.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(TerminalFailure, match="which flows may not call"):
            HttpRequest().perform({"method": "POST", "url": url, "body": "x"}, _run())

    assert sink.requests == []


@pytest.mark.parametrize(
    "allowed, host",
    [
        (["127.0.0.0/8"], "127.0.0.1"),
        (["10.0.0.0/8", "127.0.0.1"], "127.0.0.1"),
        (["localhost"], "localhost"),
        (["127.0.0.1/32"], "[::ffff:127.0.0.1]"),
    ],
)
def test_an_allowed_network_or_host_is_called(sink, settings, allowed, host):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = allowed
    url = sink.url.replace("127.0.0.1", host)

    output = HttpRequest().perform({"method": "POST", "url": url, "body": "x"}, _run())

    assert output == {"status": 200, "body": {"ok": True}}
    assert len(sink.requests) == 1


def test_an_allowed_network_does_not_open_the_others(settings):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    with pytest.raises(TerminalFailure) as refused:
        HttpRequest().preview({"method": "GET", "url": "http://169.254.169.254/"}, _run())

    assert refused.value.code == "forbidden_address"


def test_a_name_that_does_not_resolve_is_retried():
    with pytest.raises(RetryableFailure) as failed:
        HttpRequest().preview({"method": "GET", "url": "http://no-such-host.invalid/"}, _run())

    assert (failed.value.code, failed.value.retryable) == ("dns_error", True)


def _tls_server(tmp_path, name: str):
    """A local https server whose self-signed certificate names ``name``; records SNI and Host."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    seen: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen["host"] = self.headers["Host"]
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, server_name, ctx: seen.update(sni=server_name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert_file, seen


def test_tls_speaks_to_the_name_while_connecting_to_the_pinned_address(tmp_path):
    server, cert_file, seen = _tls_server(tmp_path, "erp.example")
    port = server.server_address[1]
    try:
        for hostname in ("erp.example", "impostor.example"):
            with requests.Session() as session:
                session.mount("https://", PinnedAdapter(hostname))
                call = partial(
                    session.get, f"https://127.0.0.1:{port}/", headers={"Host": f"erp.example:{port}"}, verify=cert_file
                )
                if hostname == "erp.example":
                    assert call(timeout=5).status_code == 204
                else:
                    with pytest.raises(requests.exceptions.SSLError):
                        call(timeout=5)
    finally:
        server.shutdown()
        server.server_close()

    assert seen == {"sni": "impostor.example", "host": f"erp.example:{port}"}
