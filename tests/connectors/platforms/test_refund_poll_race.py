"""A polled refund applied by a poll and by replays of its failed item at the same moment makes one
request; a platform's application and its refund applied at the same moment make one request,
refunded. PostgreSQL: real concurrent transactions."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.refunds import statuses
from commerce.refunds.models import RefundRequest
from connectors.models import REFUNDS, PollRun, WebhookDelivery
from connectors.platforms.douyin.poller import DouyinPoller
from connectors.platforms.douyin.webhook import channel_refund as douyin_refund
from connectors.registry import connector
from connectors.services.deliveries import delivery_replay
from connectors.services.polling import connection_poll
from tests.concurrency import at_once

from .support import poll_run, sandbox_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("key", ["taobao", "jd"])
def test_a_poll_and_replays_of_the_same_refund_at_once_make_one_request(marketplace_catalog, key):
    connection = sandbox_connection(key)
    simulator = connector(key).sandbox(connection)
    made = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]
    order_id = str(made["tid_str"] if key == "taobao" else made["orderId"])
    simulator.refund_create(order_id, at=timezone.now() - timedelta(minutes=2))
    first = connection_poll(connection_id=connection.pk, stream=REFUNDS)  # the order is not here yet
    assert first is not None and first.errors == 1
    failed = WebhookDelivery.objects.get()
    orders = connection_poll(connection_id=connection.pk)
    assert orders is not None and orders.created == 1

    def work(index: int):
        if index == 0:
            run = connection_poll(connection_id=connection.pk, stream=REFUNDS)
            return run.status if run else "leased"
        return delivery_replay(delivery_id=failed.pk).outcome

    results = at_once(work, 5)

    assert results == [PollRun.SUCCEEDED] + ["processed"] * 4
    assert RefundRequest.objects.count() == 1
    created = [
        d.result["effects"][0]["created"] for d in WebhookDelivery.objects.filter(replay_of=failed).order_by("pk")
    ]
    assert created.count(True) <= 1


def test_a_douyin_application_and_its_refund_at_once_make_one_refunded_request(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator = connector("douyin").sandbox(connection)
    made = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]
    poll_run(connection, DouyinPoller(page_size=10), {}, timezone.now())
    asked = json.loads(simulator.refund_message(made["order_id"], tag="200").body)[0]
    aftersale = json.loads(asked["data"])["aftersale_id"]
    refunded = json.loads(simulator.refund_message(made["order_id"], aftersale_id=aftersale).body)[0]

    def work(index: int):
        return douyin_refund(asked if index % 2 == 0 else refunded).apply(connection)["refund"]

    results = at_once(work, 6)

    refund = RefundRequest.objects.get()
    assert set(results) == {refund.pk}
    assert (refund.status, refund.method) == (statuses.REFUNDED, statuses.CHANNEL)
