from rest_framework import serializers


class JobRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    success = serializers.BooleanField()
    volume = serializers.IntegerField(allow_null=True, help_text="What the run reported processing; null if nothing.")
    warning = serializers.ChoiceField(
        choices=["volume_zero", "volume_spike"],
        allow_null=True,
        help_text="volume_zero: 0 after runs that all processed some; volume_spike: far above the recent mean.",
    )
    error = serializers.CharField(allow_blank=True)
    alert_raised = serializers.BooleanField(help_text="The failure asked for an alert.")


class PolledConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    connector = serializers.CharField()


class JobHealthSerializer(serializers.Serializer):
    job = serializers.CharField(
        help_text="The schedule's name (orders.expire_unpaid), or connectors.poll:<id> for a connection's "
        "order polling (connectors.poll:<id>:refunds for its refund polling)."
    )
    func = serializers.CharField(allow_blank=True)
    connection = PolledConnectionSerializer(allow_null=True, help_text="The polled connection of a poll job.")
    scheduled = serializers.BooleanField(help_text="False for a job whose schedule was removed.")
    every_minutes = serializers.IntegerField(allow_null=True)
    next_run = serializers.DateTimeField(allow_null=True)
    health = serializers.ChoiceField(choices=["ok", "warning", "failing", "never_run"])
    warnings = serializers.ListField(
        child=serializers.ChoiceField(choices=["volume_zero", "volume_spike", "overdue"]),
    )
    last_run_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_failure_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    consecutive_successes = serializers.IntegerField()
    runs_24h = serializers.IntegerField()
    failures_24h = serializers.IntegerField()
    average_duration_ms = serializers.IntegerField(allow_null=True)
    last_volume = serializers.IntegerField(allow_null=True)
    average_volume = serializers.FloatField(allow_null=True)
    recent_runs = JobRunSerializer(many=True)


class MonitorTasksSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    window_hours = serializers.IntegerField()
    jobs = JobHealthSerializer(many=True)


class JobRunFilterSerializer(serializers.Serializer):
    failed = serializers.BooleanField(required=False, allow_null=True, default=None)
