"""Large stock files (more than ``SYNC_MAX_ROWS`` rows) are stored and applied by a django-q2 task.

``POST /api/v1/inventory/import/`` answers 202 with the import; ``GET /api/v1/inventory/imports/{id}/``
shows its status, progress and errors. Most tests lower ``SYNC_MAX_ROWS`` to 2 so that a
three-row file takes the background path; one test sends a real 100,000-row file.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.catalog.models import Product
from commerce.inventory.imports import jobs, parse, stock_import_run, stock_imports_fail_lost
from commerce.inventory.models import StockImport, StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.outbox.models import OutboxEvent
from tests.conftest import client_for
from tests.factories import WarehouseFactory, create_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/import/"
HEADER = "sku,warehouse,on_hand,safety_stock\n"
GOOD = HEADER + "TEA-001,sh-main,90,3\nTEA-001,bj-north,12,0\nCUP-002,sh-main,7,0\n"


@pytest.fixture
def q_sync(settings):
    """django-q2 runs queued tasks at once, in the caller's thread (its sync mode)."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}


@pytest.fixture
def small_sync_limit(monkeypatch):
    monkeypatch.setattr(jobs, "SYNC_MAX_ROWS", 2)


def _upload(text: str, name: str = "count.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


def _state() -> tuple:
    """Every stock table but the imports themselves, to show that a refused file changed nothing."""
    counts = {
        m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models() if m is not StockImport
    }
    levels = list(StockItem.objects.order_by("pk").values_list("sku", "on_hand", "reserved", "safety_stock"))
    return counts, levels, OutboxEvent.objects.count()


def _post(client, text: str, capture, **extra):
    with capture(execute=True):
        return client.post(URL, _upload(text), format="multipart", **extra)


def test_a_100k_row_file_answers_202_and_the_task_applies_it(
    operator_client, warehouse, q_sync, django_capture_on_commit_callbacks
):
    Product.objects.bulk_create(
        [Product(sku=f"S{n:05d}", title=f"item {n}", price="1.00") for n in range(100_000)], batch_size=5000
    )
    WarehouseFactory(code="w1", name="一号仓", priority=3)
    text = HEADER + "".join(f"S{n:05d},w1,{n % 50 + 1},{5 if n % 1000 == 0 else 0}\n" for n in range(100_000))

    response = _post(operator_client, text, django_capture_on_commit_callbacks, HTTP_X_REQUEST_ID="trace-big-import")

    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/inventory/imports/{body['id']}/"
    assert (body["status"], body["rows"], body["filename"], body["created_by"]) == (
        "queued",
        100_000,
        "count.csv",
        "op",
    )
    done = operator_client.get(response["Location"]).json()
    assert {k: done[k] for k in ("status", "phase", "rows", "rows_done", "progress", "error_code", "errors")} == {
        "status": "applied",
        "phase": "",
        "rows": 100_000,
        "rows_done": 100_000,
        "progress": 1.0,
        "error_code": "",
        "errors": {},
    }
    assert done["counts"] == {
        "rows": 100_000,
        "created": 100_000,
        "changed": 100_000,
        "unchanged": 0,
        "movements": 100_000,
    }
    assert StockItem.objects.filter(warehouse__code="w1").count() == 100_000
    assert StockItem.objects.values_list("on_hand", "safety_stock").get(sku="S01049") == (50, 0)
    assert StockItem.objects.values_list("on_hand", "safety_stock").get(sku="S02000") == (1, 5)
    assert AuditEntry.objects.filter(action="safety_stock_set").count() == 100
    assert OutboxEvent.objects.filter(name="inventory.low_stock").count() == 100  # 1 on hand, 5 safety
    movement = StockMovement.objects.order_by("id").last()
    assert (movement.actor_kind, movement.actor_label, movement.trace_id, movement.reason) == (
        "user",
        "op",
        "trace-big-import",
        "stock import count.csv",
    )
    assert StockImport.objects.values_list("content", flat=True).get() in (b"", memoryview(b""))
    assert stock_ledger_differences() == []


def test_a_bad_row_in_a_large_file_fails_the_import_by_row_and_changes_nothing(
    operator_client,
    shelf,
    second_warehouse,
    second_product,
    small_sync_limit,
    q_sync,
    django_capture_on_commit_callbacks,
):
    before = _state()

    response = _post(
        operator_client, GOOD + "GHOST,sh-main,1,0\nCUP-002,bj-north,-3,0\n", django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    done = operator_client.get(response["Location"]).json()
    assert (done["status"], done["error_code"], done["counts"]) == ("failed", "invalid_stock_import", None)
    assert done["errors"] == {"rows[5].sku": "unknown SKU 'GHOST'", "rows[6].on_hand": "must not be negative, got -3"}
    assert done["finished_at"] is not None
    assert _state() == before


def test_a_file_below_what_is_reserved_fails_under_the_lock(
    operator_client,
    channel,
    shelf,
    second_warehouse,
    second_product,
    small_sync_limit,
    q_sync,
    django_capture_on_commit_callbacks,
):
    create_order(channel, lines=(("TEA-001", 95),))
    before = _state()

    response = _post(operator_client, GOOD, django_capture_on_commit_callbacks)

    done = operator_client.get(response["Location"]).json()
    assert (done["status"], done["errors"]) == (
        "failed",
        {"rows[2].on_hand": "90 is below the 95 currently reserved for open orders"},
    )
    assert _state() == before


def test_the_same_file_while_it_is_queued_answers_409_naming_that_import(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")  # no commit callbacks: it stays queued

    again = operator_client.post(URL, _upload(GOOD, name="copy.csv"), format="multipart")

    assert first.status_code == 202
    assert again.status_code == 409
    assert again.json() == {
        "code": "stock_import_in_progress",
        "message": "This file is already being imported; follow that import instead of uploading it again.",
        "details": {"import": first.json()["id"], "status": "queued", "filename": "count.csv"},
    }
    assert StockImport.objects.count() == 1


def test_the_same_file_after_its_import_finished_is_a_new_import(
    operator_client,
    shelf,
    second_warehouse,
    second_product,
    small_sync_limit,
    q_sync,
    django_capture_on_commit_callbacks,
):
    first = _post(operator_client, GOOD, django_capture_on_commit_callbacks)

    again = _post(operator_client, GOOD, django_capture_on_commit_callbacks)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] != first.json()["id"]
    second = operator_client.get(again["Location"]).json()
    assert (second["status"], second["counts"]["changed"], second["counts"]["movements"]) == ("applied", 0, 0)


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _queued_since(import_id: int, *, ago: timedelta) -> datetime:
    created_at = timezone.now() - ago
    StockImport.objects.filter(pk=import_id).update(created_at=created_at)
    return created_at


def _running_since(import_id: int, *, heartbeat_ago: timedelta) -> datetime:
    """The import claimed an hour ago by a worker whose last heartbeat was ``heartbeat_ago``."""
    now = timezone.now()
    StockImport.objects.filter(pk=import_id).update(
        status="validating", phase="reading", started_at=now - timedelta(hours=1), heartbeat_at=now - heartbeat_ago
    )
    return now - heartbeat_ago


def test_an_import_still_queued_past_the_limit_is_failed_and_the_file_may_come_again(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")  # no commit callbacks: its task is lost
    created_at = _queued_since(first.json()["id"], ago=timedelta(minutes=16))

    again = operator_client.post(URL, _upload(GOOD), format="multipart")

    assert (again.status_code, again.json()["status"]) == (202, "queued")
    old = operator_client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert {k: old[k] for k in ("status", "phase", "error_code", "message", "errors", "counts")} == {
        "status": "failed",
        "phase": "",
        "error_code": "stock_import_abandoned",
        "message": "The import stopped before it finished: its task was lost or its worker stopped. "
        "Nothing was imported; upload the file again.",
        "errors": {
            "file": f"queued at {_iso(created_at)} and not started within 900 s: its task was lost "
            "(worker stopped or queue flushed); nothing was imported — upload the file again"
        },
        "counts": None,
    }
    assert StockImport.objects.values_list("content", flat=True).get(pk=first.json()["id"]) in (b"", memoryview(b""))


def test_an_import_queued_within_the_limit_still_blocks_the_same_file(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    _queued_since(first.json()["id"], ago=timedelta(minutes=14))

    again = operator_client.post(URL, _upload(GOOD), format="multipart")

    assert (again.status_code, again.json()["code"]) == (409, "stock_import_in_progress")
    assert operator_client.get(first["Location"]).json()["status"] == "queued"


def test_the_queued_limit_is_a_setting(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit, settings
):
    settings.ORDERFLOW_STOCK_IMPORT_QUEUED_TIMEOUT_SECONDS = 60
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    _queued_since(first.json()["id"], ago=timedelta(minutes=2))

    read = operator_client.get(first["Location"]).json()

    assert (read["status"], read["error_code"]) == ("failed", "stock_import_abandoned")
    assert "not started within 60 s" in read["errors"]["file"]


def test_a_running_import_whose_heartbeat_stopped_is_failed_when_read_and_the_file_may_come_again(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    last_heartbeat = _running_since(first.json()["id"], heartbeat_ago=timedelta(minutes=3))

    read = operator_client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    again = operator_client.post(URL, _upload(GOOD), format="multipart")

    assert {k: read[k] for k in ("status", "phase", "error_code", "message", "errors")} == {
        "status": "failed",
        "phase": "",
        "error_code": "stock_import_abandoned",
        "message": "导入未完成就已停止：其任务丢失或执行它的进程已停止。未导入任何内容，请重新上传该文件。",
        "errors": {
            "file": f"its worker stopped: no heartbeat since {_iso(last_heartbeat)} (limit 120 s); "
            "nothing was imported — upload the file again"
        },
    }
    assert again.status_code == 202


def test_a_running_import_with_a_fresh_heartbeat_still_blocks_a_duplicate(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    _running_since(first.json()["id"], heartbeat_ago=timedelta(seconds=100))

    again = operator_client.post(URL, _upload(GOOD, name="copy.csv"), format="multipart")
    read = operator_client.get(first["Location"]).json()

    assert (again.status_code, again.json()["details"]) == (
        409,
        {"import": first.json()["id"], "status": "validating", "filename": "count.csv"},
    )
    assert (read["status"], read["error_code"], read["message"]) == ("validating", "", "")
    assert StockImport.objects.count() == 1


def test_a_lost_import_whose_task_comes_late_runs_not_at_all(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    _queued_since(first.json()["id"], ago=timedelta(minutes=16))
    assert stock_imports_fail_lost() == 1
    before = _state()

    late = stock_import_run(import_id=first.json()["id"])

    assert late is None
    assert _state() == before
    assert StockImport.objects.values_list("status", flat=True).get() == "failed"


def test_an_import_failed_as_lost_while_it_read_stops_before_applying(
    operator_client, shelf, second_warehouse, second_product, small_sync_limit, monkeypatch
):
    first = operator_client.post(URL, _upload(GOOD), format="multipart")
    import_id = first.json()["id"]
    real_read = jobs.stock_levels_read

    def read_then_declared_lost(**kwargs):
        levels = real_read(**kwargs)
        # What another process's stock_imports_fail_lost writes while this worker reads.
        StockImport.objects.filter(pk=import_id).update(status="failed", error_code="stock_import_abandoned")
        return levels

    monkeypatch.setattr(jobs, "stock_levels_read", read_then_declared_lost)
    before = _state()

    finished = stock_import_run(import_id=import_id)

    assert (finished.status, finished.error_code, finished.phase, finished.created) == (
        "failed",
        "stock_import_abandoned",
        "reading",
        None,
    )
    assert _state() == before


def test_a_task_delivered_twice_runs_once(operator_client, shelf, second_warehouse, second_product, small_sync_limit):
    response = operator_client.post(URL, _upload(GOOD), format="multipart")
    import_id = response.json()["id"]

    first = stock_import_run(import_id=import_id)
    second = stock_import_run(import_id=import_id)

    assert (first.status, second) == ("applied", None)
    assert StockMovement.objects.filter(kind="adjustment").count() == 3


@pytest.mark.parametrize(
    ("text", "status", "code", "details"),
    [
        (
            "sku,warehouse,qty\n" + "TEA-001,sh-main,1\n" * 5,
            400,
            "invalid_stock_import",
            {"header": "expected the columns sku,warehouse,on_hand,safety_stock, got sku,warehouse,qty"},
        ),
        (
            HEADER + "TEA-001,sh-main,1,0\n" * 3 + "TEA-001" * 20_000 + ",sh-main,1,0\n",
            400,
            "invalid_stock_import",
            {"rows[5]": "not valid CSV: field larger than field limit (131072)"},
        ),
        (
            HEADER + "TEA-001,sh-main,1,0\n" * 6,
            413,
            "stock_import_too_large",
            {"file": "more than 5 data rows (row 7 is one too many); split the file", "max_rows": 5},
        ),
    ],
)
def test_a_large_file_of_the_wrong_shape_is_refused_at_once(
    operator_client, shelf, small_sync_limit, monkeypatch, text, status, code, details
):
    monkeypatch.setattr(parse, "MAX_ROWS", 5)

    response = operator_client.post(URL, _upload(text), format="multipart")

    assert response.status_code == status
    assert (response.json()["code"], response.json()["details"]) == (code, details)
    assert StockImport.objects.count() == 0


def test_text_that_is_not_utf8_is_refused_at_once(operator_client, shelf, small_sync_limit):
    response = operator_client.post(
        URL,
        {"file": SimpleUploadedFile("c.csv", (HEADER + "TEA-001,sh-main,1,0\n" * 3).encode("utf-16"))},
        format="multipart",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_stock_import")
    assert response.json()["details"]["file"].startswith("not UTF-8 text")
    assert StockImport.objects.count() == 0


def test_an_unknown_import_is_404(operator_client):
    response = operator_client.get("/api/v1/inventory/imports/999/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("role", "upload", "read"),
    [
        ("operator", 202, 200),
        ("supervisor", 202, 200),
        ("admin", 202, 200),
        ("finance", 403, 200),
        ("manager", 403, 200),
        (None, 401, 401),
    ],
)
def test_stock_keepers_upload_and_everyone_reads(
    shelf, second_warehouse, second_product, small_sync_limit, role, upload, read
):
    queued = client_for("operator").post(URL, _upload(GOOD, name="first.csv"), format="multipart").json()

    uploaded = client_for(role).post(URL, _upload(GOOD + "CUP-002,bj-north,1,0\n"), format="multipart")
    looked = client_for(role).get(f"/api/v1/inventory/imports/{queued['id']}/")

    assert (uploaded.status_code, looked.status_code) == (upload, read)
