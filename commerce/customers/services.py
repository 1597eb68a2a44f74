from django.db.models.constants import OnConflict

from .models import Customer


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone.

    One statement for a known phone, two for a new one: the insert skips a phone stored
    meanwhile (``ON CONFLICT DO NOTHING``, ``INSERT OR IGNORE`` on SQLite) instead of failing,
    so it needs no savepoint; a racer's row is then read back.
    """
    customer = Customer.objects.filter(phone=phone).first()
    if customer is not None:
        return customer
    customer = Customer(name=name, phone=phone, email=email)
    opts = Customer._meta
    rows = Customer._base_manager._insert(
        [customer],
        fields=[f for f in opts.local_concrete_fields if f is not opts.auto_field],
        returning_fields=[opts.pk],
        on_conflict=OnConflict.IGNORE,
    )
    if not rows or rows[0] is None:
        return Customer.objects.get(phone=phone)
    customer.pk = rows[0][0]
    customer._state.adding = False
    customer._state.db = "default"
    return customer
