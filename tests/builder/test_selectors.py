"""What the runtime asks the builder: the current version of each enabled flow for a trigger."""

import pytest

from builder import selectors, services
from tests.builder.documents import gift_flow
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _published(document, *, enabled=True):
    flow = services.flow_create(owner=make_user("op", "operator"), definition=document)
    services.flow_publish(flow_id=flow.pk, user=None)
    if enabled:
        services.flow_set_enabled(flow_id=flow.pk, enabled=True)
    return flow


def _nightly():
    document = gift_flow(trigger={"type": "schedule", "cron": "0 2 * * *", "timezone": "Asia/Shanghai"})
    document["nodes"] = [{"id": "note", "type": "action", "action": "order.note", "params": {"text": "night"}}]
    document["edges"] = [{"from": "trigger", "to": "note"}]
    return document


def test_only_enabled_flows_on_that_event_are_answered_with_their_current_version():
    paid = _published(gift_flow())
    _published(gift_flow(), enabled=False)
    _published(gift_flow(trigger={"type": "event", "event": "order.created"}))
    changed = gift_flow()
    changed["nodes"][1]["params"]["quantity"] = 2
    services.flow_update_draft(flow_id=paid.pk, definition=changed)
    services.flow_publish(flow_id=paid.pk, user=None)
    services.flow_update_draft(flow_id=paid.pk, definition=gift_flow(name="unpublished edit"))

    versions = list(selectors.published_versions_for_events(events={"order.paid", "order.shipped"}))

    assert [(v.flow_id, v.number) for v in versions] == [(paid.pk, 2)]
    assert versions[0].document["nodes"][1]["params"]["quantity"] == 2  # loaded when first used
    assert versions[0].flow.enabled is True


def test_schedules_and_webhooks_are_found_by_trigger_type_and_token():
    nightly = _published(_nightly())
    hook_document = gift_flow(trigger={"type": "webhook"})
    hook_document["nodes"][0]["rule"] = {"==": [{"var": "webhook.body.kind"}, "vip"]}
    hook = _published(hook_document)

    assert [v.flow_id for v in selectors.published_versions(trigger_type="schedule")] == [nightly.pk]
    assert selectors.flow_for_webhook(token=hook.webhook_token).flow_id == hook.pk
    assert selectors.flow_for_webhook(token=nightly.webhook_token) is None
    assert selectors.flow_for_webhook(token="no-such-token") is None


def test_a_disabled_webhook_flow_is_not_found():
    document = gift_flow(trigger={"type": "webhook"})
    document["nodes"][0]["rule"] = True
    hook = _published(document)
    services.flow_set_enabled(flow_id=hook.pk, enabled=False)

    assert selectors.flow_for_webhook(token=hook.webhook_token) is None


def test_a_webhook_call_reads_its_version_in_one_statement(django_assert_num_queries):
    document = gift_flow(trigger={"type": "webhook"})
    document["nodes"][0]["rule"] = True
    hook = _published(document)
    hook.refresh_from_db()

    with django_assert_num_queries(1):
        version = selectors.flow_for_webhook(token=hook.webhook_token)
        # What the webhook view and webhook_run_start use: nothing deferred is read afterwards.
        assert (version.pk, version.flow_id, version.number) == (hook.current_version_id, hook.pk, 1)
        assert version.document["trigger"]["type"] == "webhook"
