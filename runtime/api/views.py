"""The runtime API: executions (list, detail, replay), manual runs, test-runs, back-tests, the kill switch."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from builder.selectors import flow_get
from core.accounts.roles import ADMINS, EVERYONE, FLOW_EDITORS
from core.api.bodies import no_body
from core.time import iso_utc

from .. import dryrun, guards, selectors, services
from ..models import Execution
from ..representation import execution_representation, execution_titles
from . import serializers as s
from .stats import STATS_WINDOW, execution_stats, stats_since

_ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
    409: OpenApiTypes.OBJECT,
}


class ExecutionListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.ExecutionSerializer
    queryset = Execution.objects.none()  # for the schema; answers come from the selector

    @extend_schema(parameters=[s.ExecutionFilterSerializer], responses=s.ExecutionSerializer(many=True))
    def get(self, request):
        filters = s.ExecutionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.execution_list(filters=filters.validated_data)) or []
        titles = execution_titles(page)
        return self.get_paginated_response([execution_representation(e, titles=titles) for e in page])


class ExecutionStatsApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.ExecutionStatsFilterSerializer],
        responses={200: s.ExecutionStatsSerializer, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT},
        description="For the flow list, in one call: per flow, its latest run (time and status) and its runs "
        "and failures (dead runs) created in the last 7 days. Flows without runs answer zeros; unknown ids "
        "are left out. More than 200 ids, or ids that are not positive integers, answer 400 `invalid`.",
    )
    def get(self, request):
        filters = s.ExecutionStatsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        since = stats_since()
        rows = execution_stats(flow_ids=filters.validated_data.get("flow"), since=since)
        return Response(
            {
                "window_days": STATS_WINDOW.days,
                "since": iso_utc(since),
                "flows": [{**row, "last_run_at": iso_utc(row["last_run_at"])} for row in rows],
            }
        )


class ExecutionDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses={200: s.ExecutionDetailSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request, execution_id: int):
        execution = selectors.execution_get(execution_id=execution_id)
        return Response(execution_representation(execution, with_context=True))


class ExecutionReplayApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=None,
        responses={200: s.ExecutionSerializer, **_ERRORS},
        description="Runs a dead execution again from the step that failed (its retry budget renewed); "
        "steps that succeeded are not repeated. Any other status answers 409 `not_replayable`.",
    )
    def post(self, request, execution_id: int):
        no_body(request)
        services.execution_replay(execution_id=execution_id)
        execution = selectors.execution_get(execution_id=execution_id)
        return Response(execution_representation(execution))


class FlowRunApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.ManualRunSerializer,
        responses={201: s.ExecutionSerializer, **_ERRORS},
        description="Starts the current version of an enabled flow with a manual trigger; `input` is in its "
        "context. 409 `not_runnable` when the flow is unpublished, disabled or not a manual flow.",
    )
    def post(self, request, flow_id: int):
        incoming = s.ManualRunSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        execution = services.manual_run_start(flow_id=flow_id, input=incoming.validated_data["input"])
        return Response(
            execution_representation(selectors.execution_get(execution_id=execution.pk)),
            status=status.HTTP_201_CREATED,
        )


class FlowTestRunApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.TestRunSerializer,
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
        description="Runs the flow's draft on one event — or on a real order found by `order` (its number or "
        "phone number), whose context is built as the order events build it — with side effects suppressed: "
        "each node's trace (node_id, kind, status, decision, input = resolved params, output = what it would "
        "do, error); with `order`, also the `order` found {id, number} and the event's objects it could not "
        "supply (`missing`). Nothing is written and nothing is called. An invalid draft answers 400 "
        "`invalid_flow`; an order not found 400 `invalid_event`.",
    )
    def post(self, request, flow_id: int):
        flow_get(flow_id=flow_id)  # an unknown flow is 404 whatever the body
        incoming = s.TestRunSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return Response(dryrun.flow_test_run(flow_id=flow_id, event=data.get("event"), order=data.get("order")))


class FlowBackTestApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.BackTestSerializer,
        responses={200: s.BackTestAnswerSerializer, **_ERRORS},
        description="Runs the draft, dry, over the stored events of its trigger's event type from the last "
        "`days` days (at most the 5,000 most recent; `capped` says when there were more): how many "
        "events, how often it fired (also `by_day`), per-node counts — for a condition its yes/no split `by_day` "
        "and a few example orders per branch (`example_orders`: `{id, number}`; `examples`: their ids) — and how "
        "often each action would have run.",
    )
    def post(self, request, flow_id: int):
        incoming = s.BackTestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response(dryrun.flow_back_test(flow_id=flow_id, days=incoming.validated_data["days"]))


def _switch_representation(switch) -> dict:
    return {
        "engaged": switch.engaged,
        "reason": switch.reason,
        "changed_by": switch.changed_by.get_username() if switch.changed_by_id else None,
        "changed_at": iso_utc(switch.changed_at),
    }


class KillSwitchApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.KillSwitchStateSerializer)
    def get(self, request):
        return Response(_switch_representation(guards.kill_switch_state()))

    @extend_schema(
        request=s.KillSwitchSerializer,
        responses={200: s.KillSwitchStateSerializer, **_ERRORS},
        description="Engaged: nothing new runs (events wait in the outbox, runs wait as pending, running "
        "ones stop before their next action). Released: everything that waited is picked up. Admins only.",
    )
    def post(self, request):
        incoming = s.KillSwitchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        switch = services.kill_switch_set(user=request.user, **incoming.validated_data)
        return Response(_switch_representation(switch))
