"""The customer's filing link: signed per order, expiring, CSRF-protected, rate limited, images checked."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commerce.refunds.filing import SALT, filing_path, filing_token
from commerce.refunds.models import RefundEvidence, RefundRequest
from commerce.refunds.tracking import tracking_token_check
from commerce.tickets.models import Ticket
from tests.conftest import client_for
from tests.factories import create_order, pay_through_gateway

from .conftest import JPEG, png

pytestmark = pytest.mark.django_db


def _csrf_client(path):
    """A browser: it reads the form (and its CSRF cookie) before posting."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client, token


def _file(path, *, quantity="1", reason="quality", note="盖子破了", images=(), client=None, token=None):
    if client is None:
        client, token = _csrf_client(path)
    body = {"csrfmiddlewaretoken": token, "qty-TEA-001": quantity, "reason": reason, "note": note}
    if images:
        body["images"] = list(images)
    return client.post(path, body)


def test_the_form_shows_the_orders_lines_and_nothing_of_the_customer(paid_order):
    response = Client().get(filing_path(paid_order.pk))

    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"  # forms keep their Origin for the CSRF check
    assert "申请退款" in html and f"订单 ****{paid_order.number[-4:]}" in html
    assert "¥199.00 / 件，可退 2 件" in html
    assert 'name="qty-TEA-001"' in html and "质量问题" in html
    for private in (paid_order.number, paid_order.customer.name, paid_order.customer.phone, "文三路"):
        assert private not in html


def test_a_customer_files_with_an_image_and_lands_on_the_tracking_page(paid_order, evidence_dir):
    image = SimpleUploadedFile("破损.jpg", JPEG, content_type="image/jpeg")

    response = _file(filing_path(paid_order.pk), images=[image])

    assert response.status_code == 302
    refund = RefundRequest.objects.get()
    assert (refund.amount, refund.reason, refund.note, refund.status) == (199, "quality", "盖子破了", "approving")
    assert list(refund.lines.values_list("sku", "quantity")) == [("TEA-001", 1)]
    assert refund.requested_by["source"] == "tracking_page"
    assert refund.ticket_id == Ticket.objects.get().pk
    evidence = RefundEvidence.objects.get()
    assert (evidence.request_id, evidence.content_type, evidence.name) == (refund.pk, "image/jpeg", "破损.jpg")
    token = response["Location"].split("/t/refund/")[1].split("/")[0]
    assert tracking_token_check(token).refund_id == refund.pk
    page = Client().get(response["Location"]).content.decode()
    assert "退款申请已提交" in page and 'data-testid="evidence-image"' in page
    image_url = re.search(r'<img src="([^"]+)"', page).group(1)
    served = Client().get(image_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == JPEG


def test_a_post_without_the_csrf_token_is_refused_and_files_nothing(paid_order):
    client = Client(enforce_csrf_checks=True)

    response = client.post(filing_path(paid_order.pk), {"qty-TEA-001": "1", "reason": "quality"})

    assert response.status_code == 403
    assert RefundRequest.objects.count() == 0


def test_a_disguised_image_is_refused_on_the_page_and_files_nothing(paid_order):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")

    response = _file(filing_path(paid_order.pk), images=[fake])

    assert response.status_code == 400
    assert "图片需为 JPEG、PNG 或 WebP 格式" in response.content.decode()
    assert (RefundRequest.objects.count(), RefundEvidence.objects.count(), Ticket.objects.count()) == (0, 0, 0)


def test_too_many_or_too_large_images_are_refused(paid_order, settings):
    settings.ORDERFLOW_REFUND_EVIDENCE_MAX_FILES = 2
    settings.ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES = 1000
    three = [SimpleUploadedFile(f"{n}.png", png(n), content_type="image/png") for n in range(3)]
    large = SimpleUploadedFile("big.png", png(size=1001), content_type="image/png")

    too_many = _file(filing_path(paid_order.pk), images=three)
    too_large = _file(filing_path(paid_order.pk), images=[large])

    assert too_many.status_code == 409 and "最多上传 2 张图片" in too_many.content.decode()
    assert too_large.status_code == 413 and "不能超过" in too_large.content.decode()
    assert RefundRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"quantity": "0"}, "请选择要退的商品"),
        ({"quantity": "3"}, "请选择要退的商品"),
        ({"quantity": "x"}, "数量需为整数"),
        ({"reason": "because"}, "请选择退款原因"),
        ({"note": "x" * 501}, "最多 500 字"),
    ],
)
def test_bad_choices_are_refused_with_words_on_the_page(paid_order, body, words):
    response = _file(filing_path(paid_order.pk), **body)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert RefundRequest.objects.count() == 0


def test_filing_is_limited_per_order_per_hour(paid_order, settings):
    settings.ORDERFLOW_REFUND_FILING_PER_HOUR = 1
    path = filing_path(paid_order.pk)
    assert _file(path).status_code == 302

    again = _file(path)

    assert again.status_code == 429 and "提交过于频繁" in again.content.decode()
    assert RefundRequest.objects.count() == 1


def test_a_unit_already_asked_for_cannot_be_asked_for_again(paid_order):
    path = filing_path(paid_order.pk)
    _file(path, quantity="2")

    again = _file(path, quantity="1")

    assert again.status_code == 400 and "可退 0 件" in again.content.decode()
    assert RefundRequest.objects.count() == 1


@pytest.mark.parametrize("kind", ["garbage", "tampered", "tracking", "expired", "unknown_order"])
def test_wrong_tampered_expired_tokens_get_a_clear_page_and_no_data(paid_order, kind):
    from commerce.refunds.tracking import tracking_token

    good = filing_token(paid_order.pk)
    token = {
        "garbage": "not-a-token",
        "tampered": good.replace(f"{paid_order.pk}:", f"{paid_order.pk + 1}:", 1),
        "tracking": tracking_token(paid_order.pk),  # a tracking token of the same number opens no form
        "expired": good,
        "unknown_order": signing.TimestampSigner(salt=SALT).sign("999999"),
    }[kind]
    later = timezone.now() + timedelta(days=8) if kind == "expired" else timezone.now()

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        get = Client().get(f"/t/refund/file/{token}/")
        post = Client().post(f"/t/refund/file/{token}/", {"qty-TEA-001": "1", "reason": "quality"})

    html = get.content.decode()
    assert get.status_code == (410 if kind == "expired" else 404)
    assert "链接" in html or "订单" in html
    assert "TEA-001" not in html and paid_order.number[-4:] not in html
    assert post.status_code in (403, 404, 410)
    assert RefundRequest.objects.count() == 0


def test_one_orders_link_shows_only_that_order(channel, stocked, paid_order):
    other = create_order(channel, external_id="TM-RF-OTHER", lines=(("TEA-001", 1),))
    pay_through_gateway(other)
    _file(filing_path(paid_order.pk), quantity="2")

    html = Client().get(filing_path(other.pk)).content.decode()

    assert f"订单 ****{other.number[-4:]}" in html and "可退 1 件" in html
    assert paid_order.number[-4:] not in html or paid_order.number[-4:] == other.number[-4:]


def test_staff_issue_a_filing_link_for_an_order(paid_order):
    answer = client_for("operator").post("/api/v1/refunds/filing-link/", {"order": paid_order.pk}, format="json")
    unknown = client_for("operator").post("/api/v1/refunds/filing-link/", {"order": 999999}, format="json")
    manager = client_for("manager").post("/api/v1/refunds/filing-link/", {"order": paid_order.pk}, format="json")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["order"] == paid_order.pk and "/t/refund/file/" in body["url"]
    assert Client().get(body["url"].split("testserver")[1]).status_code == 200
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert manager.status_code == 403
