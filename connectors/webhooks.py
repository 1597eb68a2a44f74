"""``POST /hooks/<connector>/<connection id>/``: inbound webhooks of every connector.

An unknown connector, connection, or a disabled connection answers 404 and stores nothing (there
is no connection to keep it under). Everything else is ``services.deliveries.delivery_receive``:
size, signature before parsing, dedup, the provider's own success answer.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.api.errors import error_response

from .base import InboundRequest, Rejected
from .models import Connection
from .services.deliveries import delivery_receive, delivery_reject_oversized, max_body_bytes


@csrf_exempt
def connector_webhook(request: HttpRequest, connector: str, connection_id: int) -> HttpResponse:
    if request.method != "POST":
        response = error_response(405, "method_not_allowed", _("Only POST is accepted here."), {})
        response["Allow"] = "POST"
        return response
    connection = Connection.objects.filter(pk=connection_id, connector=connector, enabled=True).first()
    if connection is None:
        return error_response(404, "not_found", _("No enabled connection has this webhook address."), {})
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return error_response(400, "bad_request", _("Content-Length is not a number."), {})
    raw = b"" if declared > limit else request.read(limit + 1)
    inbound = InboundRequest(
        body=raw, headers=request.headers, query=request.GET.dict(), content_type=request.content_type or ""
    )
    if declared > limit or len(raw) > limit:
        rejected = delivery_reject_oversized(connection=connection, request=inbound)
        return error_response(rejected.status, rejected.code, rejected.message, rejected.details)
    answer = delivery_receive(connection=connection, request=inbound)
    if isinstance(answer, Rejected):
        return error_response(answer.status, answer.code, answer.message, answer.details)
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


urlpatterns = [path("<slug:connector>/<int:connection_id>/", connector_webhook, name="connector-webhook")]
