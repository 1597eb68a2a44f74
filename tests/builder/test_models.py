import pytest
from django.db import DatabaseError, connection, transaction

from builder import services
from builder.models import FlowVersion, ImmutableVersionError
from tests.builder.documents import gift_flow
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    flow = services.flow_create(owner=make_user("op", "operator"), definition=gift_flow())
    return services.flow_publish(flow_id=flow.pk, user=None)


def test_saving_an_existing_version_is_refused(version):
    version.notes = "rewritten"

    with pytest.raises(ImmutableVersionError):
        version.save()


def test_deleting_a_version_is_refused(version):
    with pytest.raises(ImmutableVersionError):
        version.delete()


def test_bulk_update_and_delete_are_refused(version):
    with pytest.raises(ImmutableVersionError):
        FlowVersion.objects.all().update(notes="rewritten")
    with pytest.raises(ImmutableVersionError):
        FlowVersion.objects.all().delete()


def test_raw_sql_update_and_delete_are_refused_by_the_database(version):
    for statement in (
        "UPDATE builder_flowversion SET notes = 'rewritten'",
        "DELETE FROM builder_flowversion",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert FlowVersion.objects.values_list("notes", "checksum").get() == ("", version.checksum)
