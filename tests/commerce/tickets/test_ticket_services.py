from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commerce.audit.models import AuditEntry
from commerce.tickets import selectors, services
from commerce.tickets.errors import TicketClosed, TicketNotFound
from commerce.tickets.models import Ticket, TicketComment
from core.actors import Actor
from core.errors import InvalidInput
from tests.factories import TEST_ACTOR, create_order, make_user

pytestmark = pytest.mark.django_db

FLOW_ACTOR = Actor(kind="flow_execution", id="77", label="Stalled parcels", source="flow:12")


def _open(**overrides) -> Ticket:
    params = {
        "title": "Parcel stalled for 48h",
        "queue": "warehouse",
        "priority": "high",
        "assignee_role": "operator",
        "due_at": None,
        "order_id": None,
        "actor": FLOW_ACTOR,
    }
    params.update(overrides)
    return services.ticket_open(**params)


def _trail(subject_type: str, subject_id) -> list[tuple[str, dict]]:
    return [
        (e.action, e.changes)
        for e in AuditEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("id")
    ]


def test_open_stores_the_ticket_and_audits_it_on_the_ticket_and_the_order(channel, stocked):
    order = create_order(channel)
    before_order_trail = _trail("order", order.pk)
    due = datetime(2030, 1, 2, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    ticket = _open(title="  Parcel stalled for 48h  ", due_at=due, order_id=order.pk)

    ticket.refresh_from_db()
    assert (ticket.title, ticket.queue, ticket.priority, ticket.assignee_role, ticket.status) == (
        "Parcel stalled for 48h",
        "warehouse",
        "high",
        "operator",
        "open",
    )
    assert ticket.due_at == datetime(2030, 1, 2, 2, 30, tzinfo=UTC)
    assert ticket.due_at.tzinfo == UTC
    assert ticket.order_id == order.pk
    assert ticket.assignee is None
    assert ticket.closed_at is None
    assert (ticket.actor_kind, ticket.actor_id, ticket.actor_label, ticket.source) == (
        "flow_execution",
        "77",
        "Stalled parcels",
        "flow:12",
    )
    assert _trail("ticket", ticket.pk) == [
        (
            "opened",
            {
                "title": "Parcel stalled for 48h",
                "queue": "warehouse",
                "priority": "high",
                "assignee_role": "operator",
                "due_at": "2030-01-02T02:30:00Z",
                "order": order.pk,
            },
        )
    ]
    assert _trail("order", order.pk) == [
        *before_order_trail,
        (
            "ticket_opened",
            {
                "ticket": ticket.pk,
                "title": "Parcel stalled for 48h",
                "queue": "warehouse",
                "priority": "high",
                "assignee_role": "operator",
                "due_at": "2030-01-02T02:30:00Z",
            },
        ),
    ]
    order_entry = AuditEntry.objects.filter(subject_type="order", action="ticket_opened").get()
    assert (order_entry.actor_kind, order_entry.actor_id, order_entry.source) == ("flow_execution", "77", "flow:12")


def test_open_without_an_order_writes_only_the_ticket_entry(db):
    ticket = _open()

    assert AuditEntry.objects.filter(subject_type="order").count() == 0
    assert [e.action for e in AuditEntry.objects.all()] == ["opened"]
    assert ticket.order_id is None


def test_open_accepts_a_queue_nobody_named_before(db):
    ticket = _open(queue="cold-chain_2")

    assert ticket.queue == "cold-chain_2"


def test_open_names_every_bad_field_and_writes_nothing(db):
    with pytest.raises(InvalidInput) as caught:
        _open(
            title="  ",
            queue="Ware House",
            priority="critical",
            assignee_role="courier",
            due_at=datetime(2030, 1, 1, 9, 0),
            order_id=999_999,
        )

    assert caught.value.details == {
        "title": "may not be blank",
        "queue": "a slug of 1 to 32 letters, digits, '-' or '_', such as warehouse, supervisor, service, finance",
        "priority": "unknown priority 'critical'; one of low, normal, high, urgent",
        "assignee_role": "unknown role 'courier'; one of operator, supervisor, finance, admin, manager",
        "due_at": "a time-zone aware date and time (times are stored in UTC)",
        "order_id": "no order has id 999999",
    }
    assert Ticket.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"title": "t" * 201}, "title", "at most 200 characters"),
        ({"title": None}, "title", "may not be blank"),
        ({"queue": "q" * 33}, "queue", None),
        ({"queue": 7}, "queue", None),
        ({"due_at": "tomorrow"}, "due_at", "a time-zone aware date and time (times are stored in UTC)"),
        ({"order_id": "12"}, "order_id", "an order id"),
        ({"order_id": True}, "order_id", "an order id"),
    ],
)
def test_open_rejects_one_bad_field(db, override, field, message):
    with pytest.raises(InvalidInput) as caught:
        _open(**override)

    assert list(caught.value.details) == [field]
    if message is not None:
        assert caught.value.details[field] == message
    assert Ticket.objects.count() == 0


def test_assign_takes_an_open_ticket_into_progress(db):
    ticket = _open()
    alice = make_user("alice", "operator")

    assigned = services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))

    assigned.refresh_from_db()
    assert (assigned.status, assigned.assignee_id) == ("in_progress", alice.pk)
    assert _trail("ticket", ticket.pk)[-1] == (
        "assigned",
        {"assignee": [None, "alice"], "status": ["open", "in_progress"]},
    )


def test_reassigning_keeps_the_status_and_records_who_had_it(db):
    ticket = _open()
    alice = make_user("alice", "operator")
    bob = make_user("bob", "supervisor")
    services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))

    services.ticket_assign(ticket_id=ticket.pk, user=bob, actor=Actor.user(bob))

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id) == ("in_progress", bob.pk)
    assert _trail("ticket", ticket.pk)[-1] == ("assigned", {"assignee": ["alice", "bob"]})


def test_assigning_the_current_assignee_again_writes_nothing(db):
    ticket = _open()
    alice = make_user("alice", "operator")
    services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))
    entries = AuditEntry.objects.count()

    services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))

    assert AuditEntry.objects.count() == entries


def test_assigning_a_closed_ticket_is_refused(db):
    ticket = _open()
    services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR)
    alice = make_user("alice", "operator")
    entries = AuditEntry.objects.count()

    with pytest.raises(TicketClosed) as caught:
        services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))

    assert caught.value.details == {"ticket_id": ticket.pk, "status": "closed"}
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert AuditEntry.objects.count() == entries


def test_an_unknown_ticket_is_not_found(db):
    alice = make_user("alice", "operator")

    with pytest.raises(TicketNotFound) as caught:
        services.ticket_assign(ticket_id=424242, user=alice, actor=Actor.user(alice))

    assert caught.value.details == {"ticket_id": 424242}
    assert caught.value.http_status == 404


def test_comment_by_a_person_and_by_a_flow(db):
    ticket = _open()
    alice = make_user("alice", "operator")

    by_person = services.ticket_comment(
        ticket_id=ticket.pk, body="  Called the courier.  ", actor=Actor.user(alice), author=alice
    )
    by_flow = services.ticket_comment(ticket_id=ticket.pk, body="Still no scan.", actor=FLOW_ACTOR)

    assert [(c.author_id, c.actor_label, c.body) for c in TicketComment.objects.order_by("id")] == [
        (alice.pk, "alice", "Called the courier."),
        (None, "Stalled parcels", "Still no scan."),
    ]
    assert _trail("ticket", ticket.pk)[1:] == [
        ("commented", {"comment": by_person.pk, "body": "Called the courier."}),
        ("commented", {"comment": by_flow.pk, "body": "Still no scan."}),
    ]


@pytest.mark.parametrize(("body", "message"), [("   ", "may not be blank"), ("x" * 4001, "at most 4000 characters")])
def test_comment_rejects_a_bad_body(db, body, message):
    ticket = _open()

    with pytest.raises(InvalidInput) as caught:
        services.ticket_comment(ticket_id=ticket.pk, body=body, actor=TEST_ACTOR)

    assert caught.value.details == {"body": message}
    assert TicketComment.objects.count() == 0


def test_a_closed_ticket_still_takes_comments(db):
    ticket = _open()
    services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR)

    services.ticket_comment(ticket_id=ticket.pk, body="Customer confirmed receipt.", actor=TEST_ACTOR)

    assert TicketComment.objects.get().body == "Customer confirmed receipt."


def test_close_stamps_the_time_and_audits_on_the_order(channel, stocked):
    order = create_order(channel)
    ticket = _open(order_id=order.pk)
    alice = make_user("alice", "operator")
    services.ticket_assign(ticket_id=ticket.pk, user=alice, actor=Actor.user(alice))

    closed = services.ticket_close(ticket_id=ticket.pk, actor=Actor.user(alice), resolution=" Re-shipped. ")

    closed.refresh_from_db()
    assert closed.status == "closed"
    assert closed.resolution == "Re-shipped."
    assert closed.closed_at is not None
    assert _trail("ticket", ticket.pk)[-1] == (
        "closed",
        {"status": ["in_progress", "closed"], "resolution": "Re-shipped."},
    )
    assert [a for a, _c in _trail("order", order.pk)][-2:] == ["ticket_opened", "ticket_closed"]
    assert _trail("order", order.pk)[-1] == (
        "ticket_closed",
        {"ticket": ticket.pk, "title": "Parcel stalled for 48h", "resolution": "Re-shipped."},
    )


def test_closing_twice_keeps_the_first_resolution_and_writes_nothing(db):
    ticket = _open()
    first = services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR, resolution="first")
    entries = AuditEntry.objects.count()

    again = services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR, resolution="second")

    again.refresh_from_db()
    assert (again.resolution, again.closed_at) == ("first", first.closed_at)
    assert AuditEntry.objects.count() == entries


def test_close_rejects_an_over_long_resolution(db):
    ticket = _open()

    with pytest.raises(InvalidInput) as caught:
        services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR, resolution="r" * 2001)

    assert caught.value.details == {"resolution": "at most 2000 characters"}
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_list_filters(channel, stocked):
    order = create_order(channel)
    alice = make_user("alice", "operator")
    now = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    a = _open(queue="warehouse", assignee_role="operator", order_id=order.pk, due_at=now - timedelta(minutes=1))
    b = _open(queue="finance", assignee_role="finance", due_at=now + timedelta(hours=1))
    c = _open(queue="warehouse", assignee_role="supervisor", due_at=now - timedelta(hours=2))
    services.ticket_assign(ticket_id=a.pk, user=alice, actor=Actor.user(alice))
    services.ticket_close(ticket_id=c.pk, actor=TEST_ACTOR)

    def ids(**filters):
        return sorted(t.pk for t in selectors.ticket_list(filters=filters, viewer=alice, now=now))

    assert ids() == sorted([a.pk, b.pk, c.pk])
    assert ids(queue="warehouse") == sorted([a.pk, c.pk])
    assert ids(status=["open", "in_progress"]) == sorted([a.pk, b.pk])
    assert ids(status="closed") == [c.pk]
    assert ids(assignee_role="finance") == [b.pk]
    assert ids(order=order.pk) == [a.pk]
    assert ids(mine=True) == [a.pk]
    assert ids(overdue=True) == [a.pk]
    assert ids(overdue=False) == sorted([b.pk, c.pk])
    assert ids(queue="warehouse", status="in_progress", mine=True) == [a.pk]


def test_mine_without_a_viewer_is_empty(db):
    _open()

    assert list(selectors.ticket_list(filters={"mine": True})) == []


def test_overdue_is_due_in_the_past_and_not_closed(db):
    now = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    late = _open(due_at=now - timedelta(seconds=1))
    on_time = _open(due_at=now + timedelta(seconds=1))
    undated = _open()
    late_but_closed = _open(due_at=now - timedelta(days=1))
    services.ticket_close(ticket_id=late_but_closed.pk, actor=TEST_ACTOR)
    late_but_closed.refresh_from_db()

    assert [t.is_overdue(now) for t in (late, on_time, undated, late_but_closed)] == [True, False, False, False]


def test_update_raises_the_priority_moves_the_queue_and_audits_on_the_ticket_and_the_order(channel, stocked):
    order = create_order(channel)
    ticket = _open(priority="normal", order_id=order.pk)

    updated, changes = services.ticket_update(ticket_id=ticket.pk, priority="urgent", queue="finance", actor=FLOW_ACTOR)

    assert changes == {"priority": ["normal", "urgent"], "queue": ["warehouse", "finance"]}
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.queue, ticket.status) == ("urgent", "finance", "open")
    assert _trail("ticket", ticket.pk)[-1] == ("updated", changes)
    assert _trail("order", order.pk)[-1] == ("ticket_updated", {"ticket": ticket.pk, **changes})


def test_update_to_the_values_it_has_changes_nothing_and_audits_nothing():
    ticket = _open(priority="urgent")
    entries = AuditEntry.objects.count()

    _same, changes = services.ticket_update(ticket_id=ticket.pk, priority="urgent", queue="warehouse", actor=FLOW_ACTOR)

    assert changes == {}
    assert AuditEntry.objects.count() == entries


def test_update_gives_the_ticket_to_a_user_and_starts_it():
    ticket = _open()
    make_user("lin", "finance")

    _ticket, changes = services.ticket_update(
        ticket_id=ticket.pk, assignee="lin", assignee_role="finance", actor=TEST_ACTOR
    )

    ticket.refresh_from_db()
    assert (ticket.assignee.username, ticket.assignee_role, ticket.status) == ("lin", "finance", "in_progress")
    assert changes["status"] == ["open", "in_progress"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"priority": "asap"}, "priority"),
        ({"queue": "no spaces"}, "queue"),
        ({"queue": "q" * 33}, "queue"),
        ({"assignee_role": "ceo"}, "assignee_role"),
        ({"assignee": "nobody"}, "assignee"),
        ({}, "ticket"),
    ],
)
def test_update_refuses_bad_values_naming_them_and_changes_nothing(given, field):
    ticket = _open(priority="normal")

    with pytest.raises(InvalidInput) as refused:
        services.ticket_update(ticket_id=ticket.pk, actor=TEST_ACTOR, **given)

    assert list(refused.value.details) == [field]
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.queue, ticket.assignee_role) == ("normal", "warehouse", "operator")


def test_update_of_a_closed_or_missing_ticket_is_refused():
    ticket = _open()
    services.ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR)

    with pytest.raises(TicketClosed):
        services.ticket_update(ticket_id=ticket.pk, priority="urgent", actor=TEST_ACTOR)
    with pytest.raises(TicketNotFound):
        services.ticket_update(ticket_id=ticket.pk + 100, priority="urgent", actor=TEST_ACTOR)
    assert Ticket.objects.get().priority == "high"
