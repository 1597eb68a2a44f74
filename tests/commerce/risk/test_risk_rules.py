"""The risk rules as orders arrive: each default rule holds what it should, with its evidence."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.risk.models import BlacklistEntry, RiskHit, RiskRule, RiskSighting
from commerce.risk.virtual_numbers import mobile_number, virtual_kind
from tests.factories import TEST_ACTOR, create_order, order_input

pytestmark = pytest.mark.django_db


def _place(channel, n: int, *, ip="203.0.113.7", phone="13800138000", account="", line="文三路 90 号", qty=1):
    data = order_input(channel, external_id=f"E-{n}", lines=(("TEA-001", qty),), client_ip=ip, buyer_account=account)
    data = order_services.OrderInput(
        **{
            **data.__dict__,
            "customer": order_services.CustomerInput(name="张伟", phone=phone),
            "shipping_address": order_services.AddressInput(
                province="浙江省", city="杭州市", district="西湖区", line=line
            ),
        }
    )
    return order_services.order_place(data=data, actor=TEST_ACTOR).order


STREETS = ["文三路 1 号", "延安路 2 号", "解放路 3 号", "凤起路 4 号", "体育场路 5 号", "庆春路 6 号"]


def _hits(order) -> list[str]:
    return sorted(RiskHit.objects.filter(order=order).values_list("rule__key", flat=True))


def test_the_fifth_order_from_one_ip_in_ten_minutes_is_held_not_the_fourth(channel, stocked):
    orders = [_place(channel, n, phone=f"1380013800{n}", line=STREETS[n]) for n in range(5)]

    held = [Order.objects.get(pk=o.pk).on_hold for o in orders]
    assert held == [False, False, False, False, True]
    hit = RiskHit.objects.get(order=orders[4])
    assert (hit.rule.key, hit.evidence, hit.state) == ("same_ip_burst", {"ip.orders_10m": 5}, "pending")
    assert orders[4].on_hold is True  # the service's answer says so too
    assert Order.objects.get(pk=orders[4].pk).hold_reason == "风险审核 / risk review: same_ip_burst"


def test_orders_without_an_ip_are_not_counted_together(channel, stocked):
    orders = [_place(channel, n, ip=None, phone=f"1380013800{n}", line=STREETS[n]) for n in range(6)]

    assert not any(Order.objects.get(pk=o.pk).on_hold for o in orders)


def test_a_virtual_number_is_held_and_flagged_for_flows(channel, stocked):
    order = _place(channel, 1, ip=None, phone="17012345678")

    assert Order.objects.get(pk=order.pk).on_hold
    assert _hits(order) == ["virtual_number"]
    assert RiskHit.objects.get(order=order).evidence == {"phone.virtual": True}
    flagged = OutboxEvent.objects.get(name="risk.flagged")
    assert flagged.payload["risk"]["hits"][0]["rule"] == "virtual_number"
    assert flagged.payload["order"]["on_hold"] is True
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="risk_flagged").count() == 1
    # The creation event, written before the rules ran, carries the order held too: no flow on
    # order.created ever sees a held order unheld.
    created = OutboxEvent.objects.get(name="order.created", subject_id=str(order.pk))
    assert (created.payload["order"]["on_hold"], created.payload["order"]["hold_reason"]) == (
        True,
        flagged.payload["order"]["hold_reason"],
    )


@pytest.mark.parametrize(
    "phone, kind",
    [
        ("17012345678", "resale"),
        ("+86 171-2345-6789", "resale"),
        ("16212345678", "resale"),
        ("16512345678", "resale"),
        ("16712345678", "resale"),
        ("14412345678", "iot"),
        ("008616512345678", "resale"),
        ("13800138000", ""),
        ("19212345678", ""),
        ("12345", ""),
    ],
)
def test_the_virtual_ranges(phone, kind):
    assert virtual_kind(phone) == kind


def test_mobile_numbers_are_normalised():
    assert mobile_number("+86 138-0013-8000") == "13800138000"
    assert mobile_number("021-12345678") == ""


def test_one_phone_across_three_accounts_is_held(channel, stocked):
    orders = [_place(channel, n, ip=None, account=f"buyer-{n}") for n in range(3)]

    assert [Order.objects.get(pk=o.pk).on_hold for o in orders] == [False, False, True]
    assert "shared_phone" in _hits(orders[2])


def test_one_address_across_three_customers_is_held(channel, stocked):
    orders = [_place(channel, n, ip=None, phone=f"1390013900{n}") for n in range(3)]

    assert [Order.objects.get(pk=o.pk).on_hold for o in orders] == [False, False, True]
    assert _hits(orders[2]) == ["shared_address"]
    assert RiskHit.objects.get(order=orders[2]).evidence == {"address.accounts": 3}


def test_an_address_cluster_is_held(channel, stocked):
    RiskRule.objects.filter(key="shared_address").update(enabled=False)
    orders = [_place(channel, n, ip=None, phone=f"1390013900{n}", line=f"文三路 {90 + n} 号") for n in range(5)]

    assert [Order.objects.get(pk=o.pk).on_hold for o in orders] == [False, False, False, False, True]
    assert _hits(orders[4]) == ["address_cluster"]


def test_each_account_count_reads_its_own_key_in_its_own_window(channel, stocked):
    RiskRule.objects.update(enabled=False)
    reads_all = [{">=": [{"var": path}, 0]} for path in ACCOUNT_COUNTS]
    RiskRule.objects.create(key="probe", name_zh="探针", name_en="Probe", condition={"and": reads_all})
    now = timezone.now()

    def place(n, phone, account, line, *, age=None):
        order = _place(channel, n, ip=None, phone=phone, account=account, line=line)
        if age is not None:
            RiskSighting.objects.filter(order=order).update(seen_at=now - age)

    place(0, "13900139000", "buyer-0", "文三路 90 号", age=timedelta(days=2))  # phone, address; not cluster
    place(1, "13900139000", "buyer-1", "文三路 91 号", age=timedelta(days=40))  # in no window
    place(2, "13900139001", "buyer-0", "文三路 90 号")  # address and cluster, as buyer-0 again
    place(3, "13900139000", "buyer-3", "解放路 3 号")  # phone only
    place(4, "13900139002", "buyer-4", "文三路 92 号")  # cluster only
    place(5, "13900139003", "buyer-5", "文三路 93 号")  # cluster only
    probe = _place(channel, 6, ip=None, phone="13900139000", account="buyer-6", line="文三路 90 号")

    evidence = RiskHit.objects.get(order=probe).evidence
    # phone: buyer-0, buyer-3, buyer-6; address: buyer-0 (twice), buyer-6; cluster in 24 h: buyer-0, -4, -5, -6.
    assert evidence == {"phone.accounts": 3, "address.accounts": 2, "address.cluster_accounts_24h": 4}


ACCOUNT_COUNTS = ("phone.accounts", "address.accounts", "address.cluster_accounts_24h")


@pytest.mark.parametrize(
    "kind, value, place",
    [
        ("phone", "138-0013-8000", {}),
        ("ip", "198.51.100.9", {"ip": "198.51.100.9"}),
        ("account", "bad-buyer", {"account": "bad-buyer"}),
        ("address", "浙江省杭州市西湖区文三路90号", {}),
    ],
)
def test_the_blacklist_holds_each_kind(channel, stocked, kind, value, place):
    from commerce.risk.facts import normalised

    BlacklistEntry.objects.create(kind=kind, value=normalised(kind, value))
    order = _place(channel, 1, **({"ip": None} | place))

    assert _hits(order) == ["blacklist"]
    assert RiskHit.objects.get(order=order).evidence == {"blacklist.any": True}


def test_an_amount_far_above_the_customers_history_is_held(channel, stocked):
    for n in range(5):
        _place(channel, n, ip=None, qty=1)
    big = _place(channel, 9, ip=None, qty=10)

    assert _hits(big) == ["amount_spike"]
    assert RiskHit.objects.get(order=big).evidence == {"customer.orders": 5, "customer.amount_ratio": 10.0}


def test_a_disabled_rule_holds_nothing(channel, stocked):
    RiskRule.objects.update(enabled=False)

    order = _place(channel, 1, phone="17012345678")

    assert not Order.objects.get(pk=order.pk).on_hold
    assert not RiskHit.objects.exists()


def test_an_order_refused_for_short_stock_leaves_no_hit(channel, stocked):
    from commerce.inventory.errors import InsufficientStock

    with pytest.raises(InsufficientStock):
        _place(channel, 1, phone="17012345678", qty=1000)

    assert not RiskHit.objects.exists() and not Order.objects.exists()


def test_the_orders_channel_ip_is_kept(channel, stocked):
    order = create_order(channel, client_ip="2001:db8::1", device="iPhone")

    assert Order.objects.values_list("client_ip", "device").get(pk=order.pk) == ("2001:db8::1", "iPhone")
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("199.00")
