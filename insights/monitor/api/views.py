"""The task monitor: every scheduled job's health, and a job's runs.

Read by admins (who fix connections and schedules), managers (who read the health of the
machinery with the KPIs) and supervisors (who own the queues a stalled job leaves unworked).
Operators and finance work orders and money, not the jobs behind them.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.roles import ADMIN, MANAGER, SUPERVISOR
from core.api.pagination import CursorPagination
from core.errors import InvalidInput, NotFound

from .. import selectors
from ..models import JobRun
from ..polls import poll_job_parse, poll_run_representation, poll_runs
from . import serializers as s

MONITOR_READERS = frozenset({ADMIN, MANAGER, SUPERVISOR})
JOB_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_ERRORS = {400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


class JobNotFound(NotFound):
    code = "job_not_found"
    message = _("No scheduled job has this name.")


class RunsPagination(CursorPagination):
    ordering = ("-started_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MonitorTasksApi(APIView):
    read_roles = MONITOR_READERS

    @extend_schema(
        responses={200: s.MonitorTasksSerializer, **_ERRORS},
        description="Every scheduled job with its health: last run and success, consecutive successes, "
        "average duration, failures and volume over the last 24 hours, its last 10 runs, and warnings "
        "(volume dropped to zero, volume spike, overdue).",
    )
    def get(self, request):
        now = timezone.now()
        body = {
            "generated_at": now,
            "window_hours": int(selectors.WINDOW.total_seconds() // 3600),
            "jobs": selectors.monitor_jobs(now=now),
        }
        return Response(s.MonitorTasksSerializer(body).data)


class MonitorTaskRunsApi(GenericAPIView):
    read_roles = MONITOR_READERS
    pagination_class = RunsPagination
    serializer_class = s.JobRunSerializer
    queryset = JobRun.objects.none()  # for the schema; answers come from the selector

    @extend_schema(
        parameters=[s.JobRunFilterSerializer],
        responses={200: s.JobRunSerializer(many=True), **_ERRORS},
        description="The runs of one job, newest first (kept 7 days); `failed=true` for its failures only. "
        "For a connection's polling (`connectors.poll:<id>`, `connectors.poll:<id>:refunds`), its finished polls.",
    )
    def get(self, request, job: str):
        if not JOB_NAME.match(job):
            raise InvalidInput(details={"job": "a job name: letters, digits and . _ : - (at most 100)"})
        filters = s.JobRunFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if not selectors.job_known(job):
            raise JobNotFound(details={"job": job})
        failed = filters.validated_data.get("failed")
        poll_job = poll_job_parse(job)
        if poll_job is not None:
            polls = self.paginate_queryset(poll_runs(*poll_job, failed=failed)) or []
            rows = [poll_run_representation(run) for run in polls]
        else:
            runs = self.paginate_queryset(selectors.job_runs(job=job, failed=failed)) or []
            rows = [selectors.run_representation(run) for run in runs]
        return self.get_paginated_response(s.JobRunSerializer(rows, many=True).data)
