"""``POST /api/v1/inventory/import/``: a multipart CSV upload through the same service as ``import_stock``.

Files of at most ``SYNC_MAX_ROWS`` rows, as here, are answered in the request; larger ones are in
``test_import_background_api``.
"""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from commerce.inventory.imports import parse
from commerce.inventory.models import StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.outbox.models import OutboxEvent
from tests.conftest import client_for
from tests.factories import create_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/import/"
HEADER = "sku,warehouse,on_hand,safety_stock\n"


def _upload(text: str, name: str = "stock.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


def _state() -> tuple:
    counts = {m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models()}
    levels = list(StockItem.objects.order_by("pk").values_list("sku", "on_hand", "reserved", "safety_stock"))
    return counts, levels, OutboxEvent.objects.count()


def test_an_upload_sets_stock_levels(operator_client, shelf, second_warehouse):
    response = operator_client.post(
        URL, _upload(HEADER + "TEA-001,sh-main,90,3\nTEA-001,bj-north,12,0\n"), format="multipart"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "created": 1, "changed": 2, "unchanged": 0, "movements": 2}
    assert sorted(StockItem.objects.values_list("warehouse__code", "on_hand", "safety_stock")) == [
        ("bj-north", 12, 0),
        ("sh-main", 90, 3),
    ]
    movement = StockMovement.objects.order_by("id").last()
    assert (movement.actor_kind, movement.actor_label, movement.reason) == ("user", "op", "stock import stock.csv")
    assert stock_ledger_differences() == []


@pytest.mark.parametrize(
    ("text", "details"),
    [
        (
            "sku,warehouse,qty\nTEA-001,sh-main,1\n",
            {"header": "expected the columns sku,warehouse,on_hand,safety_stock, got sku,warehouse,qty"},
        ),
        (HEADER + "TEA-001,sh-main,ten,0\n", {"rows[2].on_hand": "not a whole number: 'ten'"}),
        (HEADER + "TEA-001,sh-main,-5,0\n", {"rows[2].on_hand": "must not be negative, got -5"}),
        (HEADER + "TEA-001,sh-main,5,-1\n", {"rows[2].safety_stock": "must not be negative, got -1"}),
        (HEADER + "TEA-001,sh-main,5\n", {"rows[2]": "expected 4 columns (sku,warehouse,on_hand,safety_stock), got 3"}),
        (HEADER + "GHOST,sh-main,5,0\n", {"rows[2].sku": "unknown SKU 'GHOST'"}),
        (HEADER + "TEA-001,nowhere,5,0\n", {"rows[2].warehouse": "unknown or inactive warehouse 'nowhere'"}),
        (
            HEADER + "TEA-001,sh-main,5,0\nTEA-001,sh-main,6,0\n",
            {"rows[3].sku": "TEA-001 in sh-main is already on row 2"},
        ),
        (HEADER + "TEA-001,sh-main,2,0\n", {"rows[2].on_hand": "2 is below the 3 currently reserved for open orders"}),
        ("", {"file": "empty; expected the header sku,warehouse,on_hand,safety_stock"}),
    ],
)
def test_a_bad_file_answers_400_naming_row_and_column_and_changes_nothing(
    operator_client, channel, shelf, text, details
):
    create_order(channel, lines=(("TEA-001", 3),))
    before = _state()

    response = operator_client.post(URL, _upload(text), format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_stock_import",
        "message": "The stock file has errors; nothing was imported.",
        "details": details,
    }
    assert _state() == before


def test_an_upload_over_the_row_limit_is_refused_with_413(operator_client, shelf, monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 3_000)  # 200,000 short rows would pass the 2 MB body limit
    before = _state()
    rows = "".join(f"S{n},a,1,0\n" for n in range(5_000))

    response = operator_client.post(URL, _upload(HEADER + rows), format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "stock_import_too_large"
    assert response.json()["details"] == {
        "file": "more than 3000 data rows (row 3002 is one too many); split the file",
        "max_rows": 3000,
    }
    assert _state() == before


def test_an_upload_over_the_upload_limit_is_refused_before_reading(operator_client, shelf, settings):
    settings.ORDERFLOW_MAX_UPLOAD_BYTES = 1024 * 1024
    before = _state()
    rows = "TEA-001,sh-main,100,0\n" * 100_000  # 2.2 MB

    response = operator_client.post(URL, _upload(HEADER + rows), format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert _state() == before


def test_an_upload_may_be_larger_than_other_bodies(operator_client, shelf, settings):
    settings.ORDERFLOW_MAX_BODY_BYTES = 1000
    text = HEADER + "".join(f"TEA-{n:03d},sh-main,5,0\n" for n in range(200))  # about 4.4 KB

    upload = operator_client.post(URL, _upload(text), format="multipart")
    adjust = operator_client.post(
        "/api/v1/inventory/adjust/",
        {"sku": "TEA-001", "warehouse": "sh-main", "delta": 1, "reason": "x" * 2000},
        format="json",
    )

    # Judged on its rows (its SKUs are unknown), not refused for its size.
    assert (upload.status_code, upload.json()["code"]) == (400, "invalid_stock_import"), upload.json()
    assert (adjust.status_code, adjust.json()["code"]) == (413, "payload_too_large")


def test_no_file_field_names_the_field(operator_client, shelf):
    response = operator_client.post(URL, {"other": "x"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]) == ["file"]


def test_json_is_not_accepted(operator_client, shelf):
    response = operator_client.post(URL, {"file": "sku,warehouse"}, format="json")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("supervisor", 200), ("admin", 200), ("finance", 403), ("manager", 403), (None, 401)],
)
def test_only_stock_keepers_may_import(shelf, role, status):
    response = client_for(role).post(URL, _upload(HEADER + "TEA-001,sh-main,100,0\n"), format="multipart")

    assert response.status_code == status
