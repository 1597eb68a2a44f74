import os

import pytest
from django.db import connection

from tests.factories import (
    ChannelFactory,
    ProductFactory,
    StockItemFactory,
    WarehouseFactory,
    make_user,
)


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests skip on SQLite, with a reason; in CI (``ORDERFLOW_REQUIRE_POSTGRES=1``) they fail instead."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    required = os.environ.get("ORDERFLOW_REQUIRE_POSTGRES") == "1"
    for item in items:
        if item.get_closest_marker("postgres"):
            if required:
                item.add_marker(pytest.mark.usefixtures("_fail_without_postgres"))
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness costs seconds per test; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    """The product defaults to Chinese; tests assert English text unless they send Accept-Language."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_stock_sync_kicks(settings):
    """Committed events do not queue stock syncs in tests, unless a test of stock sync asks."""
    settings.ORDERFLOW_STOCK_SYNC_ON_EVENTS = False
    settings.ORDERFLOW_KPI_REFRESH_ON_EVENTS = False


def redis_server_url(variable: str, default: str) -> str:
    """The test Redis at ``$variable`` (or ``default``) once it answers; skips the test without one —
    except in CI (``ORDERFLOW_REQUIRE_REDIS=1``, Redis started), where a missing server fails it."""
    import redis

    url = os.environ.get(variable, default)
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        reason = f"needs Redis at {variable} (default {default})"
        if os.environ.get("ORDERFLOW_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def _fail_without_postgres():
    pytest.fail("ORDERFLOW_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def channel(db):
    return ChannelFactory(code="tmall", name="天猫旗舰店")


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="sh-main", name="上海主仓", priority=1)


@pytest.fixture
def product(db):
    return ProductFactory(sku="TEA-001", title="西湖龙井 250g", price="199.00")


@pytest.fixture
def stocked(product, warehouse):
    """TEA-001 with 100 on hand in the main warehouse."""
    return StockItemFactory(sku=product.sku, warehouse=warehouse, on_hand=100)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def operator_client(db, api_client):
    api_client.force_authenticate(make_user("op", "operator"))
    return api_client


def client_for(role: str | None):
    from rest_framework.test import APIClient

    client = APIClient()
    if role is not None:
        client.force_authenticate(make_user(f"user-{role}", role))
    return client
