"""The lease of a background stock import (``imports.jobs``), with real concurrent connections."""

import hashlib
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from commerce.inventory.imports import jobs, stock_import_run
from commerce.inventory.models import StockImport, StockItem, StockMovement

# No safety stock changes in GOOD: an audit entry is append-only, and SQLite empties tables with DELETE.
pytestmark = pytest.mark.django_db(transaction=True)

GOOD = b"sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,90,0\nTEA-001,bj-north,12,0\nCUP-002,sh-main,7,0\n"


def _stored_import() -> StockImport:
    """An uploaded file as ``stock_import_upload`` stores it, queued (its task not sent)."""
    return StockImport.objects.create(
        actor_kind="user",
        actor_label="op",
        source="api",
        trace_id="trace-lease",
        filename="count.csv",
        content_hash=hashlib.sha256(GOOD).hexdigest(),
        content=GOOD,
        size_bytes=len(GOOD),
        row_count=3,
    )


def _declare_lost(import_id: int) -> None:
    try:
        StockImport.objects.filter(pk=import_id).update(status="failed", error_code="stock_import_abandoned")
    finally:
        connection.close()


def test_the_worker_renews_its_heartbeat_while_it_runs(shelf, second_warehouse, second_product, settings, monkeypatch):
    settings.ORDERFLOW_STOCK_IMPORT_HEARTBEAT_SECONDS = 0.05
    job = _stored_import()
    real_read = jobs.stock_levels_read

    def slow_read(**kwargs):
        time.sleep(0.6)  # a long file, outside any transaction
        return real_read(**kwargs)

    monkeypatch.setattr(jobs, "stock_levels_read", slow_read)

    finished = stock_import_run(import_id=job.pk)

    assert finished.status == "applied"
    assert finished.heartbeat_at - finished.started_at >= timedelta(seconds=0.4)
    assert [t.name for t in threading.enumerate() if t.name.startswith("stock-import-")] == []


@pytest.mark.postgres
def test_an_import_failed_as_lost_by_another_connection_during_its_apply_is_rolled_back(
    shelf, second_warehouse, second_product, monkeypatch
):
    job = _stored_import()
    real_apply = jobs.stock_levels_apply

    def apply_while_declared_lost(**kwargs):
        result = real_apply(**kwargs)
        # Another process's stock_imports_fail_lost commits while this apply is still open.
        sweep = threading.Thread(target=_declare_lost, args=(job.pk,))
        sweep.start()
        sweep.join()
        return result

    monkeypatch.setattr(jobs, "stock_levels_apply", apply_while_declared_lost)
    before = list(StockItem.objects.order_by("pk").values_list("sku", "warehouse__code", "on_hand", "safety_stock"))

    finished = stock_import_run(import_id=job.pk)

    assert (finished.status, finished.error_code, finished.created) == ("failed", "stock_import_abandoned", None)
    after = list(StockItem.objects.order_by("pk").values_list("sku", "warehouse__code", "on_hand", "safety_stock"))
    assert after == before
    assert StockMovement.objects.filter(kind="adjustment").count() == 0
