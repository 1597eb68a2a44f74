"""The project's URLs plus the benchmark baselines, served only under ``bench.settings``.

The baseline views are imported when first called, not with the URLs: the runtime benchmark
serves the project's URLs through these and must not depend on the order baselines' code (an
error there answers 500 on the baseline's own URL, with its traceback in the server's log).
"""

from importlib import import_module

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from orderflow.urls import handler400, handler403, handler404, handler500
from orderflow.urls import urlpatterns as project_urlpatterns


def baseline(name: str):
    """``bench.bareinsert.views.<name>``, imported on the first request."""

    @csrf_exempt
    def view(request, *args, **kwargs):
        return getattr(import_module("bench.bareinsert.views"), name)(request, *args, **kwargs)

    return view


def ping(request):
    """What the harness polls until a server answers."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/bare-insert/", baseline("bare_insert"), name="bench-bare-insert"),
    path("bench/same-writes/", baseline("same_writes"), name="bench-same-writes"),
    path("bench/ping/", ping, name="bench-ping"),
    *project_urlpatterns,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
