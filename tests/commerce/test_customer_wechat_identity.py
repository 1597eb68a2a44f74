"""A customer's WeChat openids, kept per app: recorded once, moved forward only, never shown by the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.customers.models import CustomerWechatIdentity
from commerce.customers.selectors import customer_wechat_appids, customer_wechat_openid
from commerce.customers.services import InvalidWechatIdentity, customer_get_or_create, customer_wechat_identity_record
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

SERVICE, MINI = "wx0rderf10wsandbox", "wx5f3c9a1b2d4e6f70"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def _customer(phone="13800138000"):
    return customer_get_or_create(name="王芳", phone=phone)


def test_an_openid_belongs_to_its_app_only():
    customer = _customer()
    customer_wechat_identity_record(customer_id=customer.pk, appid=MINI, openid=OPENID, source="own_store")

    assert customer_wechat_openid(customer_id=customer.pk, appid=MINI) == OPENID
    assert customer_wechat_openid(customer_id=customer.pk, appid=SERVICE) is None
    assert customer_wechat_appids(customer_id=customer.pk) == [MINI]


def test_seen_again_it_is_one_row_that_moves_forward_and_follows_the_latest_customer():
    first, second = _customer(), _customer("13900139000")
    now = timezone.now()
    customer_wechat_identity_record(customer_id=first.pk, appid=SERVICE, openid=OPENID, source="wechatpay", seen_at=now)

    customer_wechat_identity_record(
        customer_id=second.pk, appid=SERVICE, openid=OPENID, source="wechatpay", seen_at=now - timedelta(days=1)
    )  # an older sighting changes nothing
    assert CustomerWechatIdentity.objects.get().customer_id == first.pk
    customer_wechat_identity_record(
        customer_id=second.pk, appid=SERVICE, openid=OPENID, source="own_store", seen_at=now + timedelta(days=1)
    )

    identity = CustomerWechatIdentity.objects.get()
    assert (identity.customer_id, identity.source, identity.last_seen_at) == (
        second.pk,
        "own_store",
        now + timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("appid", "openid", "field"),
    [
        ("gh_0123456789", OPENID, "appid"),
        ("wx" + "a" * 40, OPENID, "appid"),
        (SERVICE, "short", "openid"),
        (SERVICE, "o<script>alert(1)</script>xxxxx", "openid"),
        (SERVICE, "o" * 65, "openid"),
    ],
)
def test_a_value_not_in_wechats_form_is_refused_and_nothing_is_written(appid, openid, field):
    with pytest.raises(InvalidWechatIdentity) as refused:
        customer_wechat_identity_record(customer_id=_customer().pk, appid=appid, openid=openid, source="wechatpay")

    assert list(refused.value.details) == [field]
    assert not CustomerWechatIdentity.objects.exists()


def test_no_api_answer_about_the_order_shows_the_openid(operator_client, channel, stocked):
    from tests.factories import create_order

    order = create_order(channel)
    customer_wechat_identity_record(customer_id=order.customer_id, appid=SERVICE, openid=OPENID, source="wechatpay")

    for path in (f"/api/v1/orders/{order.pk}/", "/api/v1/orders/", f"/api/v1/orders/{order.pk}/timeline/"):
        answer = operator_client.get(path)
        assert answer.status_code == 200
        assert OPENID not in answer.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_sightings_write_one_row():
    customer = _customer()

    at_once(
        lambda n: (
            customer_wechat_identity_record(
                customer_id=customer.pk, appid=SERVICE, openid=OPENID, source="wechatpay"
            ).pk
        ),
        8,
    )

    assert CustomerWechatIdentity.objects.count() == 1
