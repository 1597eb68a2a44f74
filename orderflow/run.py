"""``python -m orderflow.run``: the web server, the live-updates server, the django-q2 worker and
its scheduler, together.

The web server is gunicorn serving Django's WSGI handler (``orderflow.wsgi``) with
``ORDERFLOW_WEB_WORKERS`` processes of ``ORDERFLOW_WEB_THREADS`` threads each. The WebSockets of
live updates (``/ws/live/``) are served by daphne (``orderflow.asgi``) on ``ORDERFLOW_LIVE_PORT``
(the web port + 1 by default); the web server's pages tell the browser that port
(``orderflow.web.views``). Behind a reverse proxy, route ``/ws/`` to daphne and leave
``ORDERFLOW_LIVE_PORT`` empty for the web server: the browser then opens the socket on the page's own origin.

django-q2's ``qcluster`` runs the workers and the scheduler in one process tree. Ctrl-C (or
SIGTERM) stops all three, each with everything it started (``supervise``); if one exits on its own,
the others are stopped too and the exit code says so.
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
# How long a stop waits for running requests and tasks before it kills what is left.
GRACE_SECONDS = 10.0


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


def start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """A child in a process group of its own, so that what it starts (gunicorn's workers, qcluster's
    sentinel and workers) can be killed with it, and nothing outlives ``make run``."""
    return subprocess.Popen(argv, env=env, process_group=0)


def supervise(processes: dict[str, subprocess.Popen], *, grace: float = GRACE_SECONDS) -> int:
    """Waits until Ctrl-C / SIGTERM or until one child exits, then stops them all and returns the exit code.

    Stopping asks each child to stop with SIGTERM — the graceful stop of gunicorn, daphne and
    qcluster alike, each of which stops what it started; not SIGINT, which a program started in the
    background of a script (the browser tests) inherits ignored, so that daphne never sees it — and
    waits up to ``grace`` seconds for running requests and tasks to finish. Whatever is left of a
    child's process group after that, or after a second Ctrl-C, is killed whole, as the fault tests
    kill workers mid-flow (``tests/faults``): a flow run lives in its rows, and the runtime resumes
    it.
    """
    signals = 0

    def stop(*_args):
        nonlocal signals
        signals += 1

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exited = None
    while not signals and exited is None:
        time.sleep(0.1)
        exited = next((name for name, proc in processes.items() if proc.poll() is not None), None)
    for proc in processes.values():
        if proc.poll() is None:
            proc.terminate()
    if signals:
        print(f"stopping: up to {grace:g} s for running requests and tasks (Ctrl-C again to stop now)", file=sys.stderr)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and signals < 2 and not all(_group_gone(p) for p in processes.values()):
        time.sleep(0.1)
    for proc in processes.values():
        if not _group_gone(proc):
            _group_kill(proc)
        proc.wait()
    if exited is not None and not signals:
        print(f"{exited} exited with code {processes[exited].returncode}; stopped the rest", file=sys.stderr)
        return processes[exited].returncode or 1
    return 0


def _group_kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group is empty: the child and everything it started are gone
        pass


def _group_gone(proc: subprocess.Popen) -> bool:
    proc.poll()  # reaps the child itself, so a finished child does not keep its group alive as a zombie
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return True
    return False


def main() -> int:
    python = sys.executable
    processes = {
        "web": start(web_command(python), env={**os.environ, "ORDERFLOW_LIVE_PORT": LIVE_PORT}),
        "live": start(live_command(python)),
        "worker": start([python, "manage.py", "qcluster"]),
    }
    print(
        f"Orderflow is running at http://{HOST}:{PORT}/  (API docs: /api/docs/, admin: /admin/;"
        f" live updates on ws://{HOST}:{LIVE_PORT}/ws/live/) — Ctrl-C stops it"
    )
    return supervise(processes)


if __name__ == "__main__":
    sys.exit(main())
