"""``customer_get_or_create``: one customer per phone, one statement on PostgreSQL, safe under a race."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.customers.models import Customer
from commerce.customers.services import customer_get_or_create


@pytest.mark.django_db
def test_a_new_phone_is_stored_and_a_known_one_answered_as_stored():
    with CaptureQueriesContext(connection) as queries:
        new = customer_get_or_create(name="张伟", phone="13800138000", email="zw@example.com")
    again = customer_get_or_create(name="另一个名字", phone="13800138000")

    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    stored = Customer.objects.get()
    assert new.pk == again.pk == stored.pk
    assert (stored.name, stored.email, stored.tags, stored.credit_level) == ("张伟", "zw@example.com", [], 3)
    assert again.name == "张伟"  # the stored customer, not the caller's new name
    assert again.created_at == stored.created_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_for_one_phone_store_one_customer():
    gate, found, errors = threading.Barrier(12), [], []

    def call(n: int) -> None:
        try:
            gate.wait(timeout=30)
            found.append(customer_get_or_create(name=f"买家 {n}", phone="13900139000").pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Customer.objects.count() == 1
    assert found == [Customer.objects.get().pk] * 12
