"""The ingest baseline: parse the same JSON body, insert one row, answer 201. No DRF, no auth."""

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BareRow


@csrf_exempt
@require_POST
def bare_insert(request):
    try:
        body = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("malformed JSON")
    row = BareRow.objects.create(external_id=str(body.get("external_id", ""))[:64], body=body)
    return JsonResponse({"id": row.pk, "external_id": row.external_id}, status=201)


def ping(request):
    return JsonResponse({"ok": True})
