"""The customer's tracking page: a signed, expiring link per request, its progress in Chinese, cancel while pending."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from commerce.refunds.models import RefundRequest
from commerce.refunds.services import refund_approve, refund_paid, refund_reject
from commerce.refunds.tracking import SALT, tracking_path, tracking_token
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order, pay_through_gateway

from .conftest import file_refund

pytestmark = pytest.mark.django_db

CUSTOMER_NAME, PHONE = "张伟", "13800138000"  # tests.factories.order_payload's customer


def _page(path, client=None):
    response = (client or Client()).get(path)
    return response, response.content.decode()


def test_the_page_shows_the_progress_and_nothing_of_the_customer(paid_order):
    refund = file_refund(paid_order, "299.00", note="盖子破了，请尽快处理")

    response, html = _page(tracking_path(refund.pk))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "退款进度" in html and "¥299.00" in html and "质量问题" in html
    assert "已申请" in html and "已批准" in html and "已退款" in html
    assert "处理中" in html and "前完成审核" in html
    assert f"订单 ****{paid_order.number[-4:]}" in html
    assert paid_order.number not in html
    customer = paid_order.customer
    for private in (customer.name, customer.phone, "文三路", "杭州市", "盖子破了"):
        assert private and private not in html
    assert "取消退款申请" in html


def test_a_refunded_request_reads_refunded_with_its_times(paid_order, supervisor, finance):
    refund = file_refund(paid_order, "299.00")
    refund_approve(refund_id=refund.pk, user=supervisor)
    refund_approve(refund_id=refund.pk, user=finance)
    refund_paid(refund_id=refund.pk, actor=TEST_ACTOR)

    response, html = _page(tracking_path(refund.pk))

    status = re.search(r'data-testid="refund-status">([^<]+)<', html).group(1)
    assert status == "已退款"
    assert "退款已完成" in html
    assert html.count('class="done"') == 3
    assert "取消退款申请" not in html


def test_a_rejected_request_says_so_without_the_staff_reason(paid_order, supervisor):
    refund = file_refund(paid_order, "299.00")
    refund_reject(refund_id=refund.pk, user=supervisor, reason="内部备注：疑似恶意退款")

    _response, html = _page(tracking_path(refund.pk))

    assert "未通过" in html
    assert "疑似恶意退款" not in html
    assert "取消退款申请" not in html


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1:1tKx2y:abcdefabcdefabcdefabcdefabcdefabcdefabcd",
        "",
        "x" * 300,
    ],
)
def test_a_wrong_token_gets_a_clear_page_and_no_data(paid_order, token):
    file_refund(paid_order, "299.00")

    response, html = _page(f"/t/refund/{token}/" if token else "/t/refund/x/")

    assert response.status_code == 404
    assert "链接无效" in html
    assert "¥" not in html and "299" not in html


def test_a_tampered_token_for_another_request_shows_nothing(paid_order):
    mine = file_refund(paid_order, "100.00")
    theirs = file_refund(paid_order, "150.00")
    token = tracking_token(mine.pk)
    forged = f"{theirs.pk}{token[len(str(mine.pk)) :]}"

    response, html = _page(f"/t/refund/{forged}/")

    assert response.status_code == 404
    assert "链接无效" in html and "150.00" not in html and "100.00" not in html


def test_an_expired_token_gets_a_clear_page_and_no_data(paid_order, settings):
    refund = file_refund(paid_order, "299.00")
    signer = signing.TimestampSigner(salt=SALT)
    old = signer.sign(str(refund.pk))
    settings.ORDERFLOW_REFUND_TRACKING_DAYS = 0  # every token made before now is past its age

    response, html = _page(f"/t/refund/{old}/")

    assert response.status_code == 410
    assert "链接已过期" in html and "299" not in html


def test_a_token_made_31_days_ago_has_expired(paid_order, monkeypatch):
    refund = file_refund(paid_order, "299.00")
    then = timezone.now() - timedelta(days=31)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(then.timestamp())))
    old = tracking_token(refund.pk)
    monkeypatch.undo()

    response, html = _page(f"/t/refund/{old}/")

    assert response.status_code == 410
    assert "链接已过期" in html


def test_one_customers_link_never_shows_anothers_request(channel, stocked):
    first = create_order(channel, external_id="TM-A", lines=(("TEA-001", 1),))
    second = create_order(channel, external_id="TM-B", lines=(("TEA-001", 2),))
    pay_through_gateway(first)
    pay_through_gateway(second)
    a = file_refund(first, "120.00")
    b = file_refund(second, "345.00")

    _response, page_a = _page(tracking_path(a.pk))
    _response, page_b = _page(tracking_path(b.pk))

    assert "¥120.00" in page_a and "345.00" not in page_a and second.number[-4:] not in page_a
    assert "¥345.00" in page_b and "120.00" not in page_b and first.number[-4:] not in page_b


def test_the_customer_cancels_while_pending_with_the_csrf_token(paid_order):
    refund = file_refund(paid_order, "299.00")
    browser = Client(enforce_csrf_checks=True)
    path = tracking_path(refund.pk)
    _response, html = _page(path, browser)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    answer = browser.post(f"{path}cancel/", {"csrfmiddlewaretoken": csrf})

    assert answer.status_code == 302 and answer["Location"] == f"{path}?cancelled=1"
    refund.refresh_from_db()
    assert refund.status == "cancelled"
    decision = refund.decisions.get()
    assert (decision.kind, decision.actor_label) == ("cancel", "customer (tracking page)")
    _response, html = _page(answer["Location"], browser)
    assert "您已取消这个退款申请" in html and "取消退款申请</button>" not in html


def test_a_cancel_without_the_csrf_token_is_refused(paid_order):
    refund = file_refund(paid_order, "299.00")

    answer = Client(enforce_csrf_checks=True).post(f"{tracking_path(refund.pk)}cancel/")

    assert answer.status_code == 403
    assert RefundRequest.objects.get(pk=refund.pk).status == "approving"


def test_a_cancel_with_a_wrong_token_changes_nothing(paid_order):
    refund = file_refund(paid_order, "299.00")

    answer = Client().post("/t/refund/1:abc:def/cancel/")

    assert answer.status_code == 404
    assert RefundRequest.objects.get(pk=refund.pk).status == "approving"


def test_a_decided_request_cannot_be_cancelled_from_the_page(paid_order, supervisor, finance):
    refund = file_refund(paid_order, "299.00")
    refund_approve(refund_id=refund.pk, user=supervisor)
    refund_approve(refund_id=refund.pk, user=finance)

    path = tracking_path(refund.pk)  # once: a token signed a second later differs

    answer = Client().post(f"{path}cancel/")

    assert answer.status_code == 302 and answer["Location"] == path  # the same link, no "cancelled"
    assert RefundRequest.objects.get(pk=refund.pk).status == "approved"


def test_staff_read_the_link_in_the_api_detail(paid_order):
    refund = file_refund(paid_order, "299.00")

    detail = client_for("operator").get(f"/api/v1/refunds/{refund.pk}/").json()

    assert detail["tracking_url"].startswith("http://testserver/t/refund/")
    path = detail["tracking_url"].removeprefix("http://testserver")
    response, html = _page(path)
    assert response.status_code == 200 and "¥299.00" in html
