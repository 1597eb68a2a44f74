from decimal import Decimal

import pytest

from commerce.refunds.services import RefundInput, refund_request
from tests.factories import TEST_ACTOR, create_order, make_user, pay_through_gateway


@pytest.fixture
def paid_order(channel, stocked):
    """TEA-001 × 2 (398.00), paid in full through Alipay."""
    order = create_order(channel, external_id="TM-RF-1", lines=(("TEA-001", 2),))
    pay_through_gateway(order)
    return order


@pytest.fixture
def supervisor(db):
    return make_user("sup-li", "supervisor")


@pytest.fixture
def finance(db):
    return make_user("fin-wang", "finance")


@pytest.fixture
def operator(db):
    return make_user("op-zhang", "operator")


def file_refund(order, amount, reason="quality", *, user=None, **extra):
    refund, _created = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(amount), reason=reason, user=user, **extra),
        actor=TEST_ACTOR,
    )
    return refund


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    """Evidence images go to a directory of the test's own."""
    settings.ORDERFLOW_REFUND_EVIDENCE_DIR = str(tmp_path / "evidence")
    return tmp_path / "evidence"


def png(seed: int = 0, size: int = 64) -> bytes:
    """Bytes that start as a PNG does (the signature and an IHDR chunk), ``size`` long, ``seed`` making them differ."""
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    return (head + bytes([seed % 256]) * size)[: max(size, len(head) + 1)]


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
