"""``python -m orderflow.run``'s supervisor stops what it started, and everything that started.

Real processes: a supervisor (``orderflow.run.supervise``) over small Python children, one of which
starts a grandchild that does not stop when asked — as qcluster's workers finish their task first. Before
each child had a process group of its own, the supervisor killed only its child after the grace,
and the grandchild went on running after ``make run`` had returned.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SUPERVISOR = textwrap.dedent(
    """
    import sys
    from orderflow.run import start, supervise

    grace, *children = sys.argv[1:]
    processes = {f"child{i}": start([sys.executable, "-c", code]) for i, code in enumerate(children)}
    sys.exit(supervise(processes, grace=float(grace)))
    """
)

# A child like qcluster: it starts a worker and waits for it; neither stops when asked.
STUBBORN = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    open({pidfile!r}, "w").write(str(worker.pid))
    time.sleep(600)
    """
)
# A child that stops at once when asked (SIGTERM's default).
POLITE = textwrap.dedent(
    """
    import time
    open({pidfile!r}, "w").write("ready")
    time.sleep(600)
    """
)
# A child that fails once the other child is up (so that there is something to stop).
FAILING = textwrap.dedent(
    """
    import os, sys, time
    while not os.path.exists({pidfile!r}):
        time.sleep(0.05)
    sys.exit(3)
    """
)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent (a container's init may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def said(tmp_path: Path) -> str:
    return (tmp_path / "stderr").read_text()


def wait_for(path: Path, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path.name} was never written")


@pytest.fixture
def supervisor(tmp_path):
    """Starts a supervisor over the given children; its stderr goes to a file (``said``), not a pipe
    that a leftover grandchild would hold open."""
    started: list[subprocess.Popen] = []
    leftovers: list[int] = []

    def run(grace: float, *children: str) -> subprocess.Popen:
        with open(tmp_path / "stderr", "w") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-c", SUPERVISOR, str(grace), *children],
                cwd=ROOT,
                start_new_session=True,
                stderr=stderr,
            )
        started.append(proc)
        return proc

    yield run, leftovers
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    for pid in leftovers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_ctrl_c_stops_a_childs_children_too_once_the_grace_is_over(supervisor, tmp_path):
    run, leftovers = supervisor
    worker_pid_file = tmp_path / "worker.pid"
    proc = run(1.5, STUBBORN.format(pidfile=str(worker_pid_file)), POLITE.format(pidfile=str(tmp_path / "polite")))
    worker = int(wait_for(worker_pid_file))
    wait_for(tmp_path / "polite")
    leftovers.append(worker)

    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    took = time.monotonic() - began

    assert proc.returncode == 0, said(tmp_path)
    assert not alive(worker), "the stubborn child's worker outlived the supervisor"
    assert took >= 1.5, f"killed after {took:.2f} s, before the grace was over"
    assert "Ctrl-C again to stop now" in said(tmp_path)


def test_children_that_stop_at_ctrl_c_are_not_kept_waiting_for_the_grace(supervisor, tmp_path):
    run, _ = supervisor
    proc = run(60, POLITE.format(pidfile=str(tmp_path / "a")), POLITE.format(pidfile=str(tmp_path / "b")))
    wait_for(tmp_path / "a")
    wait_for(tmp_path / "b")

    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)

    assert proc.returncode == 0
    assert time.monotonic() - began < 10


def test_a_second_ctrl_c_kills_at_once(supervisor, tmp_path):
    run, leftovers = supervisor
    worker_pid_file = tmp_path / "worker.pid"
    proc = run(60, STUBBORN.format(pidfile=str(worker_pid_file)))
    worker = int(wait_for(worker_pid_file))
    leftovers.append(worker)

    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None, "the first Ctrl-C waits for the grace"
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)

    assert time.monotonic() - began < 10
    assert not alive(worker)


def test_a_child_that_exits_stops_the_rest_and_gives_its_exit_code(supervisor, tmp_path):
    run, leftovers = supervisor
    worker_pid_file = tmp_path / "worker.pid"
    proc = run(1.0, FAILING.format(pidfile=str(worker_pid_file)), STUBBORN.format(pidfile=str(worker_pid_file)))
    worker = int(wait_for(worker_pid_file))
    leftovers.append(worker)

    proc.wait(timeout=20)

    assert proc.returncode == 3
    assert "child0 exited with code 3; stopped the rest" in said(tmp_path)
    assert not alive(worker)
