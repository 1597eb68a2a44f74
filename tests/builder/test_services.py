import threading

import pytest
from django.db import close_old_connections

from builder import services
from builder.errors import FlowUnchanged
from builder.models import FlowVersion
from tests.builder.documents import gift_flow
from tests.factories import make_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_draft_create_exactly_one_version():
    flow = services.flow_create(owner=make_user("op", "operator"), definition=gift_flow())
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def publish():
        try:
            barrier.wait()
            services.flow_publish(flow_id=flow.pk, user=None)
            outcomes.append("published")
        except FlowUnchanged:
            outcomes.append("unchanged")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["published", "unchanged", "unchanged", "unchanged"]
    assert list(FlowVersion.objects.values_list("number", flat=True)) == [1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_different_drafts_number_versions_without_gaps():
    flow = services.flow_create(owner=make_user("op", "operator"), definition=gift_flow())
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def edit_and_publish(quantity: int):
        try:
            barrier.wait()
            document = gift_flow()
            document["nodes"][1]["params"]["quantity"] = quantity
            services.flow_update_draft(flow_id=flow.pk, definition=document)
            services.flow_publish(flow_id=flow.pk, user=None)
        except FlowUnchanged:
            pass
        except Exception as exc:  # collected, and asserted empty below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=edit_and_publish, args=(q,)) for q in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(FlowVersion.objects.filter(flow=flow).values_list("number", flat=True))
    assert errors == []
    assert numbers == list(range(1, len(numbers) + 1))
