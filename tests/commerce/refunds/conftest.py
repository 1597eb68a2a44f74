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
