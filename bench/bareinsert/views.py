"""The ingest baselines: the cheapest write a Django view can do, and the order API's statements alone.

Neither is DRF, and neither validates more than it needs to run.
"""

import json
import secrets
import threading

from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.same_writes import CHANNEL_SQL, TOKEN_SQL, OrderWrites, ShortStock
from commerce.channels.models import Channel
from runtime.dispatch import dispatch_request

from .models import BareRow


@csrf_exempt
@require_POST
def bare_insert(request):
    """Parse the JSON body, insert one row, answer 201. No DRF, no auth."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("malformed JSON")
    row = BareRow.objects.create(external_id=str(body.get("external_id", ""))[:64], body=body)
    return JsonResponse({"id": row.pk, "external_id": row.external_id}, status=201)


_writes_by_channel: dict[int, OrderWrites] = {}
_writes_lock = threading.Lock()


def _order_writes(channel_id: int) -> OrderWrites:
    """This process's ``OrderWrites`` for the channel (its statements are worked out once)."""
    with _writes_lock:
        writes = _writes_by_channel.get(channel_id)
        if writes is None:
            writes = _writes_by_channel[channel_id] = OrderWrites(Channel.objects.get(pk=channel_id))
    return writes


@csrf_exempt
@require_POST
def same_writes(request):
    """What ``POST /api/v1/orders/`` sends to PostgreSQL and Redis for this body, without its Python.

    The token's user and roles, the channel, then ``bench.same_writes.OrderWrites`` (the products,
    and the order's transaction), and the runtime's wake-up after commit — the same statements as
    the API, on Django's own cursor (bound as the project binds). Left out: DRF, validation,
    model instances, the plan over warehouses, the order's representation in the answer.
    PostgreSQL only.
    """
    try:
        body = json.loads(request.body)
        key = request.headers["Authorization"].removeprefix("Token ")
        skus = [line["sku"] for line in body["lines"]]
        phone, external_id, code = body["customer"]["phone"], body["external_id"], body["channel"]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("malformed order")
    with connection.cursor() as cur:
        cur.execute(TOKEN_SQL, [key])
        if not cur.fetchall():
            return HttpResponse(status=401)
        cur.execute(CHANNEL_SQL, [code])
        channel = cur.fetchone()
        if channel is None:
            return HttpResponseBadRequest("unknown channel")
        writes = _order_writes(channel[0])
        writes.products(cur, skus)
        try:
            with transaction.atomic():
                order_id = writes.place(
                    cur,
                    transaction.atomic,
                    external_id=external_id,
                    number=f"OF{secrets.randbelow(10**16):016d}",
                    phone=phone,
                    skus=skus,
                )
        except ShortStock:
            return JsonResponse({"code": "insufficient_stock"}, status=409)
        except IntegrityError:
            return JsonResponse({"external_id": external_id}, status=200)
    dispatch_request()
    return JsonResponse({"id": order_id, "external_id": external_id}, status=201)


def ping(request):
    return JsonResponse({"ok": True})
