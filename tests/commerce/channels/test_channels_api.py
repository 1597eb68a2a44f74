import pytest

from tests.conftest import client_for
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_every_channel_by_code_with_its_name():
    ChannelFactory(code="tmall", name="天猫旗舰店")
    ChannelFactory(code="jd", name="京东自营", active=False, currency="CNY")

    response = client_for("manager").get("/api/v1/channels/")

    assert response.status_code == 200
    assert response.json() == [
        {"code": "jd", "name": "京东自营", "kind": "marketplace", "currency": "CNY", "active": False},
        {"code": "tmall", "name": "天猫旗舰店", "kind": "marketplace", "currency": "CNY", "active": True},
    ]
