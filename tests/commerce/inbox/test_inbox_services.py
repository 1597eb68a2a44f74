import pytest

from commerce.audit.models import AuditEntry
from commerce.inbox import selectors, services
from commerce.inbox.errors import NotificationNotFound
from commerce.inbox.models import Notification, NotificationRead
from core.actors import Actor
from core.errors import InvalidInput
from tests.factories import create_order, make_user

pytestmark = pytest.mark.django_db

FLOW_ACTOR = Actor(kind="flow_execution", id="91", label="Big refunds", source="flow:7")


def _notify(**overrides) -> Notification:
    params = {
        "to_role": "supervisor",
        "title": "Refund over 1000 waiting",
        "body": "Order OF1 asks for 1299.00 back.",
        "order_id": None,
        "actor": FLOW_ACTOR,
    }
    params.update(overrides)
    return services.inbox_notify(**params)


def test_notify_stores_the_notification_and_audits_it(channel, stocked):
    order = create_order(channel)

    notification = _notify(title="  Refund over 1000 waiting ", order_id=order.pk)

    notification.refresh_from_db()
    assert (notification.to_role, notification.title, notification.body, notification.order_id) == (
        "supervisor",
        "Refund over 1000 waiting",
        "Order OF1 asks for 1299.00 back.",
        order.pk,
    )
    assert (notification.actor_kind, notification.actor_id, notification.actor_label, notification.source) == (
        "flow_execution",
        "91",
        "Big refunds",
        "flow:7",
    )
    entry = AuditEntry.objects.get(subject_type="notification")
    assert (entry.subject_id, entry.action, entry.source) == (str(notification.pk), "sent", "flow:7")
    assert entry.changes == {"to_role": "supervisor", "title": "Refund over 1000 waiting", "order": order.pk}


def test_notify_names_every_bad_field_and_writes_nothing(db):
    with pytest.raises(InvalidInput) as caught:
        _notify(to_role="everyone", title="", body="b" * 4001, order_id=123456)

    assert caught.value.details == {
        "to_role": "unknown role 'everyone'; one of operator, supervisor, finance, admin, manager",
        "title": "may not be blank",
        "body": "at most 4000 characters",
        "order_id": "no order has id 123456",
    }
    assert Notification.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"title": "t" * 201}, "title", "at most 200 characters"),
        ({"title": None}, "title", "may not be blank"),
        ({"body": None}, "body", "must be text"),
        ({"order_id": "5"}, "order_id", "an order id"),
    ],
)
def test_notify_rejects_one_bad_field(db, override, field, message):
    with pytest.raises(InvalidInput) as caught:
        _notify(**override)

    assert caught.value.details == {field: message}
    assert Notification.objects.count() == 0


def test_an_empty_body_is_allowed(db):
    assert _notify(body="").body == ""


def test_inbox_holds_only_the_readers_roles_newest_first(db):
    sup = make_user("sup", "supervisor")
    first = _notify(to_role="supervisor", title="first")
    _notify(to_role="finance", title="for finance")
    second = _notify(to_role="supervisor", title="second")

    listed = list(selectors.inbox_list(user=sup, roles={"supervisor"}))

    assert [(n.pk, n.read) for n in listed] == [(second.pk, False), (first.pk, False)]


def test_a_reader_with_two_roles_sees_both(db):
    both = make_user("both", "supervisor")
    a = _notify(to_role="supervisor")
    b = _notify(to_role="finance")
    _notify(to_role="admin")

    listed = [n.pk for n in selectors.inbox_list(user=both, roles={"supervisor", "finance"})]

    assert listed == [b.pk, a.pk]


def test_read_state_is_per_person(db):
    alice = make_user("alice", "supervisor")
    bob = make_user("bob", "supervisor")
    notification = _notify()

    services.inbox_mark_read(notification_id=notification.pk, user=alice, roles={"supervisor"})

    assert [n.read for n in selectors.inbox_list(user=alice, roles={"supervisor"})] == [True]
    assert [n.read for n in selectors.inbox_list(user=bob, roles={"supervisor"})] == [False]
    assert selectors.inbox_unread_count(user=alice, roles={"supervisor"}) == 0
    assert selectors.inbox_unread_count(user=bob, roles={"supervisor"}) == 1


def test_marking_read_twice_keeps_the_first_time(db):
    alice = make_user("alice", "supervisor")
    notification = _notify()
    services.inbox_mark_read(notification_id=notification.pk, user=alice, roles={"supervisor"})
    first = NotificationRead.objects.get().read_at

    services.inbox_mark_read(notification_id=notification.pk, user=alice, roles={"supervisor"})

    assert NotificationRead.objects.count() == 1
    assert NotificationRead.objects.get().read_at == first


def test_marking_another_roles_notification_is_not_found(db):
    op = make_user("op", "operator")
    notification = _notify(to_role="finance")

    with pytest.raises(NotificationNotFound) as caught:
        services.inbox_mark_read(notification_id=notification.pk, user=op, roles={"operator"})

    assert caught.value.details == {"notification_id": notification.pk}
    assert NotificationRead.objects.count() == 0


def test_mark_all_read_touches_only_the_readers_unread_ones(db):
    alice = make_user("alice", "supervisor")
    bob = make_user("bob", "supervisor")
    already = _notify()
    services.inbox_mark_read(notification_id=already.pk, user=alice, roles={"supervisor"})
    _notify()
    _notify()
    _notify(to_role="finance")

    marked = services.inbox_mark_all_read(user=alice, roles={"supervisor"})

    assert marked == 2
    assert selectors.inbox_unread_count(user=alice, roles={"supervisor"}) == 0
    assert selectors.inbox_unread_count(user=bob, roles={"supervisor"}) == 3
    assert NotificationRead.objects.filter(user=alice).count() == 3
    assert NotificationRead.objects.filter(notification__to_role="finance").count() == 0
    assert services.inbox_mark_all_read(user=alice, roles={"supervisor"}) == 0


def test_unread_filter(db):
    alice = make_user("alice", "supervisor")
    read = _notify()
    unread = _notify()
    services.inbox_mark_read(notification_id=read.pk, user=alice, roles={"supervisor"})

    def ids(unread_filter):
        qs = selectors.inbox_list(user=alice, roles={"supervisor"}, filters={"unread": unread_filter})
        return [n.pk for n in qs]

    assert ids(True) == [unread.pk]
    assert ids(False) == [read.pk]
    assert ids(None) == [unread.pk, read.pk]
