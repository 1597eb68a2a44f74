"""The same-IP rule under concurrent arrivals (PostgreSQL, real threads): exactly the 5th is held.

Without the per-key advisory lock, orders arriving together each count the others' uncommitted
rows as absent, and a burst of 8 would hold fewer than the 4 it must (the 5th through the 8th).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.risk.models import RiskHit
from tests.factories import TEST_ACTOR, order_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STREETS = [
    "文三路 1 号",
    "延安路 2 号",
    "解放路 3 号",
    "凤起路 4 号",
    "体育场路 5 号",
    "庆春路 6 号",
    "湖墅路 7 号",
    "莫干山路 8 号",
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def _data(channel, n: int, ip: str):
    base = order_input(channel, external_id=f"E-{ip}-{n}", client_ip=ip)
    return order_services.OrderInput(
        **{
            **base.__dict__,
            "customer": order_services.CustomerInput(name="张伟", phone=f"1380013{n:04d}"),
            "shipping_address": order_services.AddressInput(
                province="浙江省", city="杭州市", district="西湖区", line=STREETS[n]
            ),
        }
    )


def _burst(channel, ip: str, count: int) -> list[int]:
    gate = threading.Barrier(count)

    @_in_thread
    def place(n):
        data = _data(channel, n, ip)
        gate.wait(timeout=20)
        return order_services.order_place(data=data, actor=TEST_ACTOR).order.pk

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(place, range(count)))


def test_four_at_once_from_one_ip_hold_none(channel, stocked, default_rules):
    ids = _burst(channel, "203.0.113.7", 4)

    assert Order.objects.filter(pk__in=ids, on_hold=True).count() == 0
    assert not RiskHit.objects.exists()


def test_eight_at_once_from_one_ip_hold_the_fifth_to_the_eighth(channel, stocked, default_rules):
    ids = _burst(channel, "203.0.113.8", 8)

    assert Order.objects.filter(pk__in=ids).count() == 8
    # Serialised per IP: each order counted those committed before it, so the counts are 1..8
    # and exactly the ones counting 5 or more are held.
    counts = sorted(RiskHit.objects.values_list("evidence__ip.orders_10m", flat=True))
    assert counts == [5, 6, 7, 8]
    assert Order.objects.filter(pk__in=ids, on_hold=True).count() == 4


def test_the_fifth_arrival_is_held_when_four_came_just_before(channel, stocked, default_rules):
    first = _burst(channel, "203.0.113.9", 4)
    fifth = order_services.order_place(data=_data(channel, 4, "203.0.113.9"), actor=TEST_ACTOR).order

    assert Order.objects.filter(pk__in=first, on_hold=True).count() == 0
    assert Order.objects.get(pk=fifth.pk).on_hold
