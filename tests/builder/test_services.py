import pytest

from builder import services
from builder.errors import FlowUnchanged
from builder.models import FlowVersion
from tests.builder.documents import gift_flow
from tests.concurrency import at_once
from tests.factories import make_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_draft_create_exactly_one_version():
    flow = services.flow_create(owner=make_user("op", "operator"), definition=gift_flow())

    def publish(_n: int) -> str:
        try:
            services.flow_publish(flow_id=flow.pk, user=None)
        except FlowUnchanged:
            return "unchanged"
        return "published"

    outcomes = at_once(publish, 4)

    assert sorted(outcomes) == ["published", "unchanged", "unchanged", "unchanged"]
    assert list(FlowVersion.objects.values_list("number", flat=True)) == [1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_different_drafts_number_versions_without_gaps():
    flow = services.flow_create(owner=make_user("op", "operator"), definition=gift_flow())

    def edit_and_publish(n: int) -> None:
        document = gift_flow()
        document["nodes"][1]["params"]["quantity"] = n + 1
        services.flow_update_draft(flow_id=flow.pk, definition=document)
        try:
            services.flow_publish(flow_id=flow.pk, user=None)
        except FlowUnchanged:
            pass

    at_once(edit_and_publish, 4)

    numbers = sorted(FlowVersion.objects.filter(flow=flow).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
