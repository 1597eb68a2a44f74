from .models import Customer


def customer_get_or_create(*, name: str, phone: str, email: str = "") -> Customer:
    """The customer with this phone, created if new. Safe under concurrent calls for one phone:
    the phone is unique, and ``get_or_create`` reads the racer's row back when its insert meets it."""
    customer, _created = Customer.objects.get_or_create(phone=phone, defaults={"name": name, "email": email})
    return customer
