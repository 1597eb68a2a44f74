from django.db import IntegrityError, transaction

from .models import Customer


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone."""
    customer = Customer.objects.filter(phone=phone).first()
    if customer is not None:
        return customer
    try:
        with transaction.atomic():
            return Customer.objects.create(name=name, phone=phone, email=email)
    except IntegrityError:
        return Customer.objects.get(phone=phone)
