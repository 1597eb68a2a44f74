"""``POST /hooks/flows/<token>/``: the URL of a flow with a webhook trigger (``Flow.webhook_token``).

In this order, before anything is parsed: an unknown token (or a disabled flow) answers 404; a
body over ``ORDERFLOW_FLOW_WEBHOOK_MAX_BYTES`` (1 MB) answers 413; with ``trigger.hmac_secret``
set, a missing or wrong ``X-Orderflow-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>``
answers 401 (compared in constant time); the stored secret is sealed and revealed only here — one
this server cannot reveal answers 503 ``secret_unreadable`` and is logged without its value.
Only then is the body parsed (malformed JSON → 400 ``malformed_json``; JSON the database cannot
store → 400 ``invalid_json``, as everywhere in the API).
The run is started and the call answers 202 with the execution id; an ``Idempotency-Key``
header makes a repeated delivery answer the first one's execution instead of starting another.
"""

import hmac
import logging

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from builder.selectors import flow_for_webhook
from core.api.errors import error_response
from core.api.parsers import InvalidJson, json_loads
from core.crypto import SecretUnreadable, reveal

from . import conf
from .actions.http import SIGNATURE_HEADER, signature
from .services import webhook_run_start

logger = logging.getLogger(__name__)

_PRIVATE_HEADERS = frozenset({"authorization", "cookie", SIGNATURE_HEADER.lower()})


@csrf_exempt
def flow_webhook(request: HttpRequest, token: str) -> JsonResponse:
    if request.method != "POST":
        response = error_response(405, "method_not_allowed", _("Only POST is accepted here."), {})
        response["Allow"] = "POST"
        return response
    version = flow_for_webhook(token=token)
    if version is None:
        return error_response(404, "not_found", _("No enabled flow has this webhook address."), {})
    limit = conf.get("ORDERFLOW_FLOW_WEBHOOK_MAX_BYTES")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return error_response(400, "bad_request", _("Content-Length is not a number."), {})
    too_large = error_response(
        413,
        "payload_too_large",
        _("The body is larger than %(limit)d bytes.") % {"limit": limit},
        {"limit_bytes": limit},
    )
    if declared > limit:
        return too_large
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return too_large
    sealed = version.document["trigger"].get("hmac_secret")
    if sealed:
        try:
            secret = reveal(sealed)
        except SecretUnreadable as exc:
            logger.error("flow %s v%s: the webhook secret cannot be revealed: %s", version.flow_id, version.number, exc)
            return error_response(
                503, exc.code, _("This flow's webhook secret cannot be read; its editor must enter it again."), {}
            )
        offered = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(offered.encode(), signature(secret, raw).encode()):
            return error_response(
                401,
                "bad_signature",
                _("The X-Orderflow-Signature header is missing or does not match the body."),
                {"header": SIGNATURE_HEADER},
            )
    try:
        body = json_loads(raw) if raw.strip() else None
    except InvalidJson as exc:
        return error_response(400, exc.code, str(exc.message), exc.details)
    except ValueError as exc:
        return error_response(400, "malformed_json", _("The body is not valid JSON."), {"body": str(exc)})
    headers = {name: value for name, value in request.headers.items() if name.lower() not in _PRIVATE_HEADERS}
    execution, created = webhook_run_start(
        version=version, body=body, headers=headers, delivery_id=request.headers.get("Idempotency-Key", "")[:100]
    )
    return JsonResponse({"execution": execution.pk, "status": execution.status, "created": created}, status=202)


urlpatterns = [path("<str:token>/", flow_webhook, name="flow-webhook")]
