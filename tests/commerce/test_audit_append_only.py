import pytest
from django.db import DatabaseError, connection, transaction

from commerce.audit.models import AppendOnlyError, AuditEntry
from tests.factories import create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(channel, stocked):
    create_order(channel)
    return AuditEntry.objects.get()


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_bulk_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_raw_sql_update_and_delete_are_refused_by_the_database(entry):
    for statement in (
        "UPDATE audit_auditentry SET action = 'forged'",
        "DELETE FROM audit_auditentry",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.values_list("action", flat=True).get() == "created"


@pytest.mark.django_db(transaction=True)
def test_entries_outside_a_transaction_are_refused():
    from commerce.audit.services import audit_record
    from core.actors import Actor

    with pytest.raises(RuntimeError):
        audit_record(subject_type="order", subject_id=1, action="x", actor=Actor.system("t"), changes={})
