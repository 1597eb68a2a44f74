"""The app's page tells the browser where daphne serves ``/ws/live/`` when that is a port of its own."""

from django.test import Client

from orderflow.web import views


def test_the_page_names_the_live_port_when_daphne_has_its_own(db, tmp_path, monkeypatch, settings):
    index = tmp_path / "index.html"
    index.write_text("<!doctype html><head><title>Orderflow</title></head><div id=root></div>", encoding="utf-8")
    monkeypatch.setattr(views, "INDEX_HTML", index)
    settings.ORDERFLOW_LIVE_PORT = "8001"

    answer = Client().get("/app/orders")

    assert answer.content == (
        b'<!doctype html><head><title>Orderflow</title><meta name="orderflow-live-port" content="8001"></head>'
        b"<div id=root></div>"
    )


def test_without_a_live_port_the_page_is_left_as_built(db, tmp_path, monkeypatch, settings):
    index = tmp_path / "index.html"
    index.write_text("<!doctype html><head></head>", encoding="utf-8")
    monkeypatch.setattr(views, "INDEX_HTML", index)
    settings.ORDERFLOW_LIVE_PORT = ""

    assert Client().get("/app/").content == b"<!doctype html><head></head>"
