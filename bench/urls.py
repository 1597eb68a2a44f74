"""The project's URLs plus the benchmark baseline, served only under ``bench.settings``."""

from django.urls import path

from bench.bareinsert.views import bare_insert, ping, same_writes
from orderflow.urls import handler400, handler403, handler404, handler500
from orderflow.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/bare-insert/", bare_insert, name="bench-bare-insert"),
    path("bench/same-writes/", same_writes, name="bench-same-writes"),
    path("bench/ping/", ping, name="bench-ping"),
    *project_urlpatterns,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
