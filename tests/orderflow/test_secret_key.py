"""No silent built-in SECRET_KEY (``orderflow/settings.py``).

With DEBUG off and no ``SECRET_KEY`` the settings refuse to load — no server, worker or command
starts — with a message saying what to do. A development install (``ORDERFLOW_DEV=1``, as the
Makefile, the browser tests and the test settings set; or ``DEBUG=1``) gets a key generated once
into the var dir (mode 0600) and reused by every later process; the old built-in key is then only
a fallback. Production never runs on the built-in key, even when it is set explicitly.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRINT_KEYS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'key': settings.SECRET_KEY, 'fallbacks': settings.SECRET_KEY_FALLBACKS}))"
)
BUILT_IN = "dev-only-insecure-key-change-me-in-production-0123456789"
CLEARED = ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "ORDERFLOW_DEV", "DEBUG", "DJANGO_SETTINGS_MODULE")


def run(code: str, var_dir: Path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(DJANGO_SETTINGS_MODULE="orderflow.settings", ORDERFLOW_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environ, capture_output=True, text=True, timeout=60
    )


def keys(var_dir: Path, **env) -> dict:
    done = run(PRINT_KEYS, var_dir, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_secret_key_and_debug_off_nothing_starts(tmp_path):
    done = run(PRINT_KEYS, tmp_path)

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in done.stderr
    assert "ORDERFLOW_DEV=1" in done.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_web_server_refuses_to_start_without_it(tmp_path):
    wsgi = run("import orderflow.wsgi", tmp_path)
    asgi = run("import orderflow.asgi", tmp_path)

    assert wsgi.returncode != 0 and "SECRET_KEY is not set." in wsgi.stderr
    assert asgi.returncode != 0 and "SECRET_KEY is not set." in asgi.stderr


def test_production_refuses_the_built_in_key_even_when_set(tmp_path):
    done = run(PRINT_KEYS, tmp_path, SECRET_KEY=BUILT_IN)

    assert done.returncode != 0
    assert "SECRET_KEY is the built-in development key" in done.stderr


def test_production_runs_on_its_own_key_with_no_built_in_fallback(tmp_path):
    found = keys(tmp_path, SECRET_KEY="k" * 60, SECRET_KEY_FALLBACKS="old-key-1,old-key-2")

    assert found == {"key": "k" * 60, "fallbacks": ["old-key-1", "old-key-2"]}
    assert not (tmp_path / "secret_key").exists()


def test_a_development_install_generates_its_key_once_and_keeps_it(tmp_path):
    first = keys(tmp_path, ORDERFLOW_DEV="1")
    second = keys(tmp_path, ORDERFLOW_DEV="1")
    kept = tmp_path / "secret_key"

    assert first == second
    assert len(first["key"]) >= 50 and first["key"] != BUILT_IN
    assert first["fallbacks"] == [BUILT_IN]
    assert kept.read_text().strip() == first["key"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_debug_on_is_a_development_install_too(tmp_path):
    assert keys(tmp_path, DEBUG="1")["key"] == (tmp_path / "secret_key").read_text().strip()


def test_another_var_dir_gets_another_key(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"

    assert keys(one, ORDERFLOW_DEV="1")["key"] != keys(other, ORDERFLOW_DEV="1")["key"]


def test_a_set_secret_key_wins_in_development_too(tmp_path):
    assert keys(tmp_path, ORDERFLOW_DEV="1", SECRET_KEY="s" * 60) == {"key": "s" * 60, "fallbacks": []}


def test_an_emptied_key_file_is_an_error_not_a_new_key(tmp_path):
    (tmp_path / "secret_key").write_text("")

    done = run(PRINT_KEYS, tmp_path, ORDERFLOW_DEV="1")

    assert done.returncode != 0
    assert "is empty" in done.stderr
