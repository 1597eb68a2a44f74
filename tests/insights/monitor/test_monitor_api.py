"""``/api/v1/monitor/tasks/`` and a job's runs: exact figures, and bad input answered 4xx."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from connectors.models import PollRun
from connectors.services.connections import ConnectionInput, connection_create
from insights.monitor.models import JobRun
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def schedule(name: str, *, next_run, minutes: int = 1) -> Schedule:
    made = Schedule.objects.create(
        name=name, func=f"tasks.{name}", schedule_type=Schedule.MINUTES, minutes=minutes, repeats=-1
    )
    Schedule.objects.filter(pk=made.pk).update(next_run=next_run)
    return made


def run(job: str, minutes_ago: float, *, ms: int = 100, volume=None, error: str = "", warning: str = "") -> JobRun:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    return JobRun.objects.create(
        job=job,
        func=f"tasks.{job}",
        task_id=f"{job}-{minutes_ago}",
        started_at=started,
        finished_at=started + timedelta(milliseconds=ms),
        duration_ms=ms,
        success=not error,
        volume=volume,
        error=error,
        warning=warning,
        alert={"rule": "task_failed"} if error else None,
    )


def jobs_by_name(role: str = "manager") -> dict[str, dict]:
    answer = client_for(role).get("/api/v1/monitor/tasks/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["window_hours"] == 24
    return {job["job"]: job for job in body["jobs"]}


def test_a_jobs_health_in_figures():
    now = timezone.now()
    schedule("orders.expire_unpaid", next_run=now + timedelta(seconds=30))
    run("orders.expire_unpaid", 60 * 30, ms=5000, volume=50)  # outside the 24 hours
    run("orders.expire_unpaid", 10, ms=100, volume=3)
    run("orders.expire_unpaid", 9, ms=900, error="database is locked")
    run("orders.expire_unpaid", 8, ms=200, volume=2)
    run("orders.expire_unpaid", 7, ms=300, volume=4)
    run("orders.expire_unpaid", 6, ms=400, volume=6)

    job = jobs_by_name()["orders.expire_unpaid"]

    recent = job.pop("recent_runs")
    assert job == {
        "job": "orders.expire_unpaid",
        "func": "tasks.orders.expire_unpaid",
        "connection": None,
        "scheduled": True,
        "every_minutes": 1,
        "next_run": job["next_run"],
        "health": "ok",
        "warnings": [],
        "last_run_at": recent[0]["started_at"],
        "last_success_at": recent[0]["started_at"],
        "last_failure_at": recent[3]["started_at"],
        "last_error": "database is locked",
        "consecutive_successes": 3,
        "runs_24h": 5,
        "failures_24h": 1,
        "average_duration_ms": 380,  # (100 + 900 + 200 + 300 + 400) / 5
        "last_volume": 6,
        "average_volume": 3.75,  # (3 + 2 + 4 + 6) / 4: the failure reported none
    }
    assert [(r["success"], r["volume"], r["duration_ms"]) for r in recent] == [
        (True, 6, 400),
        (True, 4, 300),
        (True, 2, 200),
        (False, None, 900),
        (True, 3, 100),
        (True, 50, 5000),
    ]
    assert recent[3]["error"] == "database is locked" and recent[3]["alert_raised"] is True
    assert recent[0]["started_at"].endswith("Z")


def test_failing_warning_overdue_and_never_run_jobs():
    now = timezone.now()
    schedule("payments.sweep", next_run=now + timedelta(seconds=20))
    run("payments.sweep", 3, volume=1)
    run("payments.sweep", 2, error="gateway timeout")
    schedule("connectors.polls", next_run=now + timedelta(seconds=20))
    run("connectors.polls", 1, volume=0, warning="volume_zero")
    schedule("runtime.sweep", next_run=now - timedelta(minutes=30))
    run("runtime.sweep", 31, volume=2)
    schedule("kpis.rollup", next_run=now + timedelta(minutes=5), minutes=10)

    jobs = jobs_by_name("admin")

    summary = {
        name: (job["health"], job["warnings"], job["consecutive_successes"], job["last_error"])
        for name, job in jobs.items()
    }
    assert summary == {
        "payments.sweep": ("failing", [], 0, "gateway timeout"),
        "connectors.polls": ("warning", ["volume_zero"], 1, ""),
        "runtime.sweep": ("warning", ["overdue"], 1, ""),
        "kpis.rollup": ("never_run", [], 0, ""),
    }
    assert jobs["kpis.rollup"]["recent_runs"] == [] and jobs["kpis.rollup"]["every_minutes"] == 10


def test_a_job_whose_schedule_is_gone_still_shows_its_runs():
    run("stock.sync_old", 5, volume=9)

    job = jobs_by_name("supervisor")["stock.sync_old"]

    assert (job["scheduled"], job["every_minutes"], job["next_run"], job["func"]) == (
        False,
        None,
        None,
        "tasks.stock.sync_old",
    )


def test_a_jobs_runs_newest_first_a_page_at_a_time_and_its_failures():
    schedule("couriers.poll", next_run=timezone.now())
    for n in range(5):
        failed = n % 2 == 1
        run("couriers.poll", 10 - n, volume=None if failed else n, error="courier down" if failed else "")
    run("other.job", 1, volume=1)
    client = client_for("manager")

    first = client.get("/api/v1/monitor/tasks/couriers.poll/runs/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    failed = client.get("/api/v1/monitor/tasks/couriers.poll/runs/", {"failed": "true"}).json()

    assert [r["volume"] for r in first["results"]] == [4, None, 2]
    assert [r["volume"] for r in second["results"]] == [None, 0]
    assert second["next"] is None
    assert [(r["success"], r["error"]) for r in failed["results"]] == [(False, "courier down")] * 2


@pytest.mark.parametrize(
    ("path", "query", "status", "code", "field"),
    [
        ("/api/v1/monitor/tasks/couriers.poll/runs/", {"failed": "perhaps"}, 400, "invalid", "failed"),
        ("/api/v1/monitor/tasks/couriers.poll/runs/", {"cursor": "forged"}, 400, "invalid_cursor", None),
        ("/api/v1/monitor/tasks/couriers.poll/runs/", {"page_size": "many"}, 200, None, None),
        ("/api/v1/monitor/tasks/no.such.job/runs/", {}, 404, "job_not_found", "job"),
        ("/api/v1/monitor/tasks/bad%20name%3B/runs/", {}, 400, "invalid", "job"),
        (f"/api/v1/monitor/tasks/{'x' * 101}/runs/", {}, 400, "invalid", "job"),
    ],
)
def test_bad_input_gets_a_clear_4xx_and_changes_nothing(path, query, status, code, field):
    schedule("couriers.poll", next_run=timezone.now())
    run("couriers.poll", 1, volume=1)

    answer = client_for("admin").get(path, query)

    assert answer.status_code == status, answer.content
    if code is not None:
        body = answer.json()
        assert body["code"] == code
        if field is not None:
            assert field in body["details"]
    assert JobRun.objects.count() == 1


def test_the_monitor_is_not_for_operators_or_finance():
    for role in ("operator", "finance"):
        answer = client_for(role).get("/api/v1/monitor/tasks/")
        assert answer.status_code == 403
        assert answer.json()["code"] == "permission_denied"


def poll(
    connection, minutes_ago: float, *, fetched: int = 0, error: str = "", seconds: float = 2, stream: str = "orders"
) -> PollRun:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    made = PollRun.objects.create(
        connection=connection,
        stream=stream,
        status=PollRun.FAILED if error else PollRun.SUCCEEDED,
        fetched=fetched,
        error=error,
        finished_at=started + timedelta(seconds=seconds),
    )
    PollRun.objects.filter(pk=made.pk).update(started_at=started)  # auto_now_add
    made.refresh_from_db()
    return made


@pytest.fixture
def shop(db):
    return connection_create(
        data=ConnectionInput(
            connector="shopify",
            name="海外站",
            credentials={"shop_domain": "a.myshopify.com", "access_token": "t", "client_secret": "s"},
            settings={"poll_interval_seconds": 120},
            sandbox=True,
        )
    )


def test_each_connections_polling_is_a_job_of_its_own(shop):
    for n, fetched in enumerate([4, 5, 3, 6, 4]):
        poll(shop, 20 - 2 * n, fetched=fetched)
    poll(shop, 9, error="401 Unauthorized: the access token was revoked", seconds=1)
    poll(shop, 7, fetched=6)
    poll(shop, 5, fetched=0)
    PollRun.objects.create(connection=shop)  # running: not counted until it finishes

    job = jobs_by_name()[f"connectors.poll:{shop.pk}"]

    recent = job.pop("recent_runs")
    assert job == {
        "job": f"connectors.poll:{shop.pk}",
        "func": "connectors.tasks.connection_poll_task",
        "connection": {"id": shop.pk, "name": "海外站", "connector": "shopify"},
        "scheduled": True,
        "every_minutes": 2,
        "next_run": job["next_run"],
        "health": "warning",
        "warnings": ["volume_zero"],
        "last_run_at": recent[0]["started_at"],
        "last_success_at": recent[0]["started_at"],
        "last_failure_at": recent[2]["started_at"],
        "last_error": "401 Unauthorized: the access token was revoked",
        "consecutive_successes": 2,
        "runs_24h": 8,
        "failures_24h": 1,
        "average_duration_ms": 1875,  # (7 × 2 s + 1 s) / 8
        "last_volume": 0,
        "average_volume": 4.0,  # (4 + 5 + 3 + 6 + 4 + 6 + 0) / 7
    }
    last = datetime.fromisoformat(recent[0]["started_at"])
    assert datetime.fromisoformat(job["next_run"]) == last + timedelta(minutes=2)
    assert [(r["success"], r["volume"], r["warning"]) for r in recent] == [
        (True, 0, "volume_zero"),  # the six successful polls before it all fetched some
        (True, 6, None),
        (False, None, None),
        (True, 4, None),
        (True, 6, None),
        (True, 3, None),
        (True, 5, None),
        (True, 4, None),
    ]


def test_a_poll_that_fetches_nothing_after_steady_polls_warns(shop):
    for n in range(5):
        poll(shop, 20 - n, fetched=3)
    poll(shop, 1, fetched=0)

    job = jobs_by_name()[f"connectors.poll:{shop.pk}"]

    assert (job["health"], job["warnings"], job["recent_runs"][0]["warning"]) == (
        "warning",
        ["volume_zero"],
        "volume_zero",
    )


def test_a_connection_that_stopped_polling_is_overdue(shop):
    poll(shop, 30, fetched=1)

    job = jobs_by_name()[f"connectors.poll:{shop.pk}"]

    assert (job["health"], job["warnings"]) == ("warning", ["overdue"])


def test_a_connections_polls_page_by_page(shop):
    for n in range(3):
        poll(shop, 10 - n, fetched=n, error="timeout" if n == 1 else "")
    client = client_for("admin")

    everything = client.get(f"/api/v1/monitor/tasks/connectors.poll:{shop.pk}/runs/").json()
    failed = client.get(f"/api/v1/monitor/tasks/connectors.poll:{shop.pk}/runs/", {"failed": "true"}).json()
    unknown = client.get("/api/v1/monitor/tasks/connectors.poll:987654321/runs/")

    assert [(r["success"], r["volume"]) for r in everything["results"]] == [(True, 2), (False, None), (True, 0)]
    assert [r["error"] for r in failed["results"]] == ["timeout"]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "job_not_found")


def test_a_connections_refund_list_is_a_job_of_its_own_warned_against_its_own_history(shop):
    for n in range(5):
        poll(shop, 20 - n, fetched=40)  # orders: steady
        poll(shop, 20 - n, fetched=0, stream="refunds")  # refunds: usually none
    poll(shop, 1, fetched=40)
    poll(shop, 1, fetched=0, error="timeout", stream="refunds")
    client = client_for("admin")

    jobs = jobs_by_name()
    orders, refunds = jobs[f"connectors.poll:{shop.pk}"], jobs[f"connectors.poll:{shop.pk}:refunds"]

    assert (orders["func"], orders["runs_24h"], orders["average_volume"], orders["health"]) == (
        "connectors.tasks.connection_poll_task",
        6,
        40.0,
        "ok",
    )
    assert (refunds["func"], refunds["runs_24h"], refunds["failures_24h"], refunds["last_error"]) == (
        "connectors.tasks.connection_refund_poll_task",
        6,
        1,
        "timeout",
    )
    assert refunds["health"] == "failing" and orders["last_error"] == ""
    runs = client.get(f"/api/v1/monitor/tasks/connectors.poll:{shop.pk}:refunds/runs/").json()["results"]
    assert [r["success"] for r in runs] == [False, True, True, True, True, True]
    for job in (f"connectors.poll:{shop.pk}:orders", f"connectors.poll:{shop.pk}:stock", "connectors.poll:x:refunds"):
        answer = client.get(f"/api/v1/monitor/tasks/{job}/runs/")
        assert (answer.status_code, answer.json()["code"]) == (404, "job_not_found")
