import pytest

from connectors.services.connections import ConnectionInput, connection_create


def sandbox_connection(connector: str, name: str = "沙箱"):
    return connection_create(
        data=ConnectionInput(connector=connector, name=name, credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def sms(db):
    return sandbox_connection("aliyun_sms", "短信沙箱")


@pytest.fixture
def quiet_never(settings):
    settings.ORDERFLOW_NOTIFY_QUIET_HOURS = (0, 0)


from tests.connectors.couriers.conftest import kuaidi100, parcel, shipped_order  # noqa: E402, F401
