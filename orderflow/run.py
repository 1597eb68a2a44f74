"""``python -m orderflow.run``: the web server, the live-updates server, the django-q2 worker and
its scheduler, together.

The web server is gunicorn serving Django's WSGI handler (``orderflow.wsgi``) with
``ORDERFLOW_WEB_WORKERS`` processes of ``ORDERFLOW_WEB_THREADS`` threads each. The WebSockets of
live updates (``/ws/live/``) are served by daphne (``orderflow.asgi``) on ``ORDERFLOW_LIVE_PORT``
(the web port + 1 by default); the web server's pages tell the browser that port
(``orderflow.web.views``). Behind a reverse proxy, route ``/ws/`` to daphne and leave
``ORDERFLOW_LIVE_PORT`` empty for the web server: the browser then opens the socket on the page's own origin.

django-q2's ``qcluster`` runs the workers and the scheduler in one process tree. Ctrl-C (or
SIGTERM) stops both; if either exits on its own, the other is stopped too and the exit code says so.
"""

import os
import signal
import subprocess
import sys
import time

HOST = os.environ.get("ORDERFLOW_HOST", "127.0.0.1")
PORT = os.environ.get("ORDERFLOW_PORT", "8000")
WEB_WORKERS = os.environ.get("ORDERFLOW_WEB_WORKERS", "2")
WEB_THREADS = os.environ.get("ORDERFLOW_WEB_THREADS", "8")
LIVE_PORT = os.environ.get("ORDERFLOW_LIVE_PORT") or str(int(PORT) + 1)


def web_command(python: str) -> list[str]:
    """gunicorn with threads: each request runs in one thread, start to end (Django's WSGI handler)."""
    return [
        python, "-m", "gunicorn", "orderflow.wsgi:application",
        "--config", "python:orderflow.gunicorn_conf",
        "--bind", f"{HOST}:{PORT}",
        "--workers", WEB_WORKERS,
        "--worker-class", "gthread",
        "--threads", WEB_THREADS,
        "--access-logfile", "-",
    ]  # fmt: skip


def live_command(python: str, *, host: str = HOST, port: str = LIVE_PORT) -> list[str]:
    """daphne serving the ASGI application: its WebSockets follow the outbox (insights.live)."""
    return [python, "-m", "daphne", "-b", host, "-p", port, "orderflow.asgi:application"]


def main() -> int:
    python = sys.executable
    web_environment = {**os.environ, "ORDERFLOW_LIVE_PORT": LIVE_PORT}
    processes = {
        "web": subprocess.Popen(web_command(python), env=web_environment),
        "live": subprocess.Popen(live_command(python)),
        "worker": subprocess.Popen([python, "manage.py", "qcluster"]),
    }
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(
        f"Orderflow is running at http://{HOST}:{PORT}/  (API docs: /api/docs/, admin: /admin/;"
        f" live updates on ws://{HOST}:{LIVE_PORT}/ws/live/) — Ctrl-C stops it"
    )
    exited = None
    while not stopping and exited is None:
        time.sleep(0.3)
        exited = next((name for name, proc in processes.items() if proc.poll() is not None), None)
    for proc in processes.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for proc in processes.values():
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
    if exited is not None and not stopping:
        print(f"{exited} exited with code {processes[exited].returncode}; stopped the rest", file=sys.stderr)
        return processes[exited].returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
