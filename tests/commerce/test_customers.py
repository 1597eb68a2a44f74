"""``customer_get_or_create``: one customer per phone, one read for a known phone, safe under a race."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.customers.models import Customer
from commerce.customers.services import customer_get_or_create
from tests.concurrency import at_once


@pytest.mark.django_db
def test_a_new_phone_is_stored_and_a_known_one_answered_as_stored():
    with CaptureQueriesContext(connection) as new_queries:
        new = customer_get_or_create(name="张伟", phone="13800138000", email="zw@example.com")
    with CaptureQueriesContext(connection) as known_queries:
        again = customer_get_or_create(name="另一个名字", phone="13800138000")

    # A new phone: the read, then the insert in a savepoint (get_or_create's); a known one: the read.
    assert len(new_queries.captured_queries) == 4
    assert len(known_queries.captured_queries) == 1
    stored = Customer.objects.get()
    assert new.pk == again.pk == stored.pk
    assert (stored.name, stored.email, stored.tags, stored.credit_level) == ("张伟", "zw@example.com", [], 3)
    assert again.name == "张伟"  # the stored customer, not the caller's new name
    assert again.created_at == stored.created_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_for_one_phone_store_one_customer():
    found = at_once(lambda n: customer_get_or_create(name=f"买家 {n}", phone="13900139000").pk, 12)

    assert Customer.objects.count() == 1
    assert found == [Customer.objects.get().pk] * 12
