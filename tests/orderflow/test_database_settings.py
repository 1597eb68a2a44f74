"""How the settings choose database connections: a pool for the web server on PostgreSQL only;
prepared statements possible on PostgreSQL (``prepare_threshold`` set: Django's ``None`` turns them off)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRINT_DATABASE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "options = db.get('OPTIONS', {}); "
    "print(json.dumps({'engine': db['ENGINE'], 'age': db.get('CONN_MAX_AGE', 0), 'pool': options.get('pool'), "
    "'prepare_threshold': options.get('prepare_threshold')}))"
)
PREPARING = {"prepare_threshold": 5}


def database_settings(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ORDERFLOW_DB_POOL", "CONN_MAX_AGE")}
    environ.update(DJANGO_SETTINGS_MODULE="orderflow.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE], cwd=REPO, env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgres://u@db:5432/orderflow", "ORDERFLOW_DB_POOL": "1"},
            {
                "engine": "django.db.backends.postgresql",
                "age": 0,
                "pool": {"min_size": 2, "max_size": 12, "timeout": 30},
                **PREPARING,
            },
        ),
        (
            {"DATABASE_URL": "postgres://u@db:5432/orderflow", "ORDERFLOW_DB_POOL": "1", "ORDERFLOW_DB_POOL_SIZE": "4"},
            {
                "engine": "django.db.backends.postgresql",
                "age": 0,
                "pool": {"min_size": 2, "max_size": 4, "timeout": 30},
                **PREPARING,
            },
        ),
        (
            {"DATABASE_URL": "postgres://u@db:5432/orderflow", "CONN_MAX_AGE": "30"},
            {"engine": "django.db.backends.postgresql", "age": 30, "pool": None, **PREPARING},
        ),
        (
            {"ORDERFLOW_DB_POOL": "1"},
            {"engine": "django.db.backends.sqlite3", "age": 0, "pool": None, "prepare_threshold": None},
        ),
    ],
    ids=["web-server-on-postgresql", "pool-size", "no-pool-outside-the-web-server", "sqlite-never-pools"],
)
def test_the_web_server_pools_postgresql_connections_and_nothing_else_does(env, expected):
    assert database_settings(**env) == expected
