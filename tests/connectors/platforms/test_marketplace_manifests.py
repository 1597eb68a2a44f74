"""The four marketplace manifests, and their simulators answering orders in the shape of the kept payloads."""

import json

import pytest

from commerce.orders import statuses
from connectors.api.serializers import connector_representation
from connectors.registry import connector
from orderflow.demo.data import CHANNELS

from .support import fixture_json, sandbox_connection

SECRETS = {
    "taobao": ("app_secret", "session"),
    "pinduoduo": ("client_secret", "access_token"),
    "jd": ("app_secret", "access_token"),
    "douyin": ("app_secret", "access_token"),
}
NAMES = {"taobao": "淘宝/天猫", "pinduoduo": "拼多多", "jd": "京东", "douyin": "抖店"}
CHANNEL = {"taobao": "tmall", "pinduoduo": "pdd", "jd": "jd", "douyin": "douyin"}


@pytest.mark.parametrize("key", sorted(SECRETS))
def test_each_marketplace_is_registered_with_its_secrets_channel_and_parts(key):
    found = connector(key)

    assert found is not None
    assert (found.kind, found.name_zh, found.channel) == ("platform", NAMES[key], CHANNEL[key])
    assert found.channel in {code for code, *_ in CHANNELS}  # the demo's channel codes
    assert found.secret_fields == SECRETS[key]
    # Douyin pushes its after-sales messages (200, 206, 207): a webhook beside the order search; the
    # others list their refunds, polled on a cursor of their own.
    expected = ("webhook", "polling", "stock_sync") if key == "douyin" else ("polling", "refund_polling", "stock_sync")
    assert found.features == expected
    assert set(found.status_map.values()) <= set(statuses.STATUSES)
    assert found.logo.startswith("data:image/svg+xml;utf8,")
    assert found.doc.startswith("# ")
    assert set(found.sandbox_credentials) <= set(found.credentials_schema["properties"])
    assert json.loads(json.dumps(connector_representation(found)))["key"] == key


ORDER_FIXTURES = {
    "taobao": ("trade_fullinfo_get_response.json", lambda body: body["trade_fullinfo_get_response"]["trade"]),
    "pinduoduo": (
        "order_number_list_increment_get_response.json",
        lambda body: body["order_sn_increment_get_response"]["order_sn_list"][0],
    ),
    "jd": (
        "pop_order_search_responce.json",
        lambda body: body["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"][0],
    ),
    "douyin": ("order_searchList.json", lambda body: body["data"]["shop_order_list"][0]),
}


@pytest.mark.parametrize("key", sorted(ORDER_FIXTURES))
def test_a_simulated_order_has_the_fields_of_the_kept_payload(marketplace_catalog, key):
    name, pick = ORDER_FIXTURES[key]
    kept = pick(fixture_json(key, name))
    simulator = connector(key).sandbox(sandbox_connection(key))

    made = simulator.orders_create(1)[0]

    assert set(made) >= set(kept) - {"request_id"}
