"""Input validation for the runtime API, and the documented shape of its answers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import statuses


class ExecutionFilterSerializer(serializers.Serializer):
    flow = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(required=False, choices=statuses.STATUSES)
    subject = serializers.CharField(required=False, max_length=100, help_text='Like "order:123".')
    order = serializers.CharField(
        required=False, max_length=32, help_text="An order number: the runs that concern that order."
    )


MAX_STATS_FLOWS = 200


class ExecutionStatsFilterSerializer(serializers.Serializer):
    flow = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        min_length=1,
        max_length=MAX_STATS_FLOWS,
        help_text=f"Flow ids, repeated (`?flow=1&flow=2`), at most {MAX_STATS_FLOWS}; without it, every flow.",
    )


class ManualRunSerializer(serializers.Serializer):
    input = serializers.DictField(required=False, default=dict, help_text="What the run's context holds as `input`.")


class TestRunSerializer(serializers.Serializer):
    event = serializers.DictField(
        required=False,
        help_text='A stored outbox event, {"event_id": 42}, or one written out like {"type": "order.paid", '
        '"order": {…}} (for other triggers, the objects of their context).',
    )
    order = serializers.CharField(
        required=False,
        max_length=100,
        help_text="A real order instead of an event: its number, platform order id, or the customer's full "
        "phone number (or part of their name); the most recent match.",
    )

    def validate(self, attrs):
        if ("event" in attrs) == ("order" in attrs):
            raise serializers.ValidationError(
                {"event": [_("Give either an event or an order (its number or phone number).")]}
            )
        return attrs


class BackTestSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90)


class BackTestDaySplitSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day in the operators' time zone.")
    true = serializers.IntegerField()
    false = serializers.IntegerField()


class BackTestBranchIdsSerializer(serializers.Serializer):
    true = serializers.ListField(child=serializers.IntegerField())
    false = serializers.ListField(child=serializers.IntegerField())


class BackTestOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text="As the replayed event recorded it.")


class BackTestBranchOrdersSerializer(serializers.Serializer):
    true = BackTestOrderSerializer(many=True)
    false = BackTestOrderSerializer(many=True)


class BackTestNodeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["condition", "action"])
    reached = serializers.IntegerField()
    true = serializers.IntegerField()
    false = serializers.IntegerField()
    would_run = serializers.IntegerField()
    # The answer's key is "errors"; DRF's metaclass takes declared fields out of the class, so this does
    # not replace Serializer.errors at run time, whatever the stubs say (as ExecutionDetailSerializer.context).
    errors = serializers.IntegerField()  # type: ignore[assignment]
    by_day = BackTestDaySplitSerializer(many=True, required=False, help_text="Conditions only.")
    examples = BackTestBranchIdsSerializer(required=False, help_text="Conditions only: example order ids.")
    example_orders = BackTestBranchOrdersSerializer(
        required=False, help_text="Conditions only: the same example orders, with their numbers."
    )


class BackTestDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    events = serializers.IntegerField()
    fired = serializers.IntegerField()


class BackTestErrorSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    node_id = serializers.CharField()
    error = serializers.JSONField(help_text="{code, message, retryable, details}")


class BackTestAnswerSerializer(serializers.Serializer):
    flow = serializers.IntegerField()
    event = serializers.CharField()
    days = serializers.IntegerField()
    cap = serializers.IntegerField()
    capped = serializers.BooleanField()
    events = serializers.IntegerField()
    fired = serializers.IntegerField()
    fire_rate = serializers.FloatField()
    nodes = serializers.DictField(child=BackTestNodeSerializer())
    by_day = BackTestDaySerializer(many=True)
    actions = serializers.DictField(child=serializers.IntegerField())
    errors = BackTestErrorSerializer(many=True, help_text="The first 20 failures.")  # type: ignore[assignment]


class KillSwitchSerializer(serializers.Serializer):
    engaged = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NodeTitleSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node_id = serializers.CharField()
    node_title = NodeTitleSerializer(help_text="The node's label, else its action's name (条件 for a condition).")
    kind = serializers.ChoiceField(choices=["condition", "action"])
    action = serializers.CharField(allow_null=True)
    attempt = serializers.IntegerField()
    status = serializers.ChoiceField(choices=statuses.STEP_STATUSES)
    input = serializers.JSONField(help_text="Resolved params (secrets masked), or the values a rule read.")
    output = serializers.JSONField(allow_null=True)
    decision = serializers.BooleanField(allow_null=True)
    error = serializers.JSONField(allow_null=True, help_text="{code, message, retryable, details}")
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()


class ExecutionOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text="As the run's context recorded it.")


class ExecutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    flow = serializers.IntegerField()
    flow_name = serializers.CharField(help_text="The flow's name now.")
    flow_version = serializers.IntegerField(help_text="The version number that ran.")
    order = ExecutionOrderSerializer(allow_null=True, help_text="The order the run concerns, if it concerns one.")
    trigger = serializers.CharField()
    event = serializers.IntegerField(allow_null=True, help_text="The outbox event, for event triggers.")
    subject = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=statuses.STATUSES)
    status_reason = serializers.CharField()
    current_node = serializers.CharField(allow_null=True)
    caused_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    resume_at = serializers.DateTimeField(allow_null=True)
    steps = StepSerializer(many=True)


class ExecutionDetailSerializer(ExecutionSerializer):
    # The answer's key is "context"; DRF's metaclass takes declared fields out of the class, so this
    # does not replace Field.context at run time, whatever the stubs say.
    context = serializers.JSONField(  # type: ignore[assignment]
        help_text="What the run knows: its trigger's objects, `input`, each step's output."
    )


class KillSwitchStateSerializer(serializers.Serializer):
    engaged = serializers.BooleanField()
    reason = serializers.CharField()
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField()


class FlowRunStatsSerializer(serializers.Serializer):
    flow = serializers.IntegerField()
    last_run_at = serializers.DateTimeField(
        allow_null=True, help_text="When its latest run started (or was created, if not started yet)."
    )
    last_status = serializers.CharField(allow_null=True, help_text="That run's execution status; null if it never ran.")
    runs = serializers.IntegerField(help_text="Runs created in the window.")
    failures = serializers.IntegerField(help_text="Of those, the ones that are dead.")


class ExecutionStatsSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    since = serializers.DateTimeField(help_text="The window's start: runs and failures count from here.")
    flows = FlowRunStatsSerializer(many=True)
