from commerce.db import insert_or_ignore, objects_where

from .models import Customer


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone.

    One statement for a known phone, two for a new one: the insert skips a phone stored
    meanwhile (``ON CONFLICT DO NOTHING``, ``INSERT OR IGNORE`` on SQLite) instead of failing,
    so it needs no savepoint; a racer's row is then read back.
    """
    found = objects_where(Customer, "phone = %s", [phone], prepare=True)
    if found:
        return found[0]
    customer = Customer(name=name, phone=phone, email=email)
    if not insert_or_ignore(customer):
        return Customer.objects.get(phone=phone)
    return customer
