"""An order as the API answers a person: its one representation, whether it is overdue, and phone
numbers and the client IP masked unless the caller's role may read them
(``core.accounts.roles.PHONE_READERS``: an IP is personal data as a phone number is).

Only answers are masked. Domain events, flow contexts and connector payloads carry
``representation.order_representation`` untouched.
"""

from datetime import datetime

from django.utils import timezone

from commerce.orders.representation import order_representation
from commerce.orders.sla import order_is_overdue
from core.accounts.roles import may_see_phones
from core.privacy import mask_ip, mask_phone


def mask_order_phones(answer: dict) -> dict:
    """``answer`` (an order representation) with the customer's and the recipient's phone, and the
    buyer's IP, masked."""
    return {
        **answer,
        "client_ip": mask_ip(answer.get("client_ip")),
        "customer": {**answer["customer"], "phone": mask_phone(answer["customer"]["phone"])},
        "shipping_address": {**answer["shipping_address"], "phone": mask_phone(answer["shipping_address"]["phone"])},
    }


class OrderAnswers:
    """Builds the answers for one request: the role is read once, the clock once."""

    def __init__(self, request, *, now: datetime | None = None):
        self.full_phones = may_see_phones(request.user)
        self.now = now or timezone.now()

    def __call__(self, order, *, representation: dict | None = None) -> dict:
        answer = representation if representation is not None else order_representation(order)
        answer = {**answer, "overdue": order_is_overdue(order, now=self.now)}
        return answer if self.full_phones else mask_order_phones(answer)


def order_answer(request, order, *, representation: dict | None = None) -> dict:
    return OrderAnswers(request)(order, representation=representation)
