from django.db import models


class JobRun(models.Model):
    """One run of a scheduled job (a django-q2 schedule), as the worker finished it.

    Written only by ``services.job_run_record``, once per django-q2 task (``task_id`` is unique),
    and removed after ``RETENTION``. ``volume`` is what the task reported processing (its return
    value, read by ``services.volume_of``); ``None`` when it reported nothing countable.
    """

    WARNING_VOLUME_ZERO = "volume_zero"
    WARNING_VOLUME_SPIKE = "volume_spike"
    WARNINGS = [("", "none"), (WARNING_VOLUME_ZERO, WARNING_VOLUME_ZERO), (WARNING_VOLUME_SPIKE, WARNING_VOLUME_SPIKE)]

    job = models.CharField(max_length=100)
    func = models.CharField(max_length=256)
    task_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    success = models.BooleanField()
    volume = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    warning = models.CharField(max_length=16, blank=True, choices=WARNINGS)
    # The alert this failure asks for (rule, key, severity, title, message, details), as handed to
    # the alerts service; None for a run that did not fail.
    alert = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        indexes = [models.Index(fields=["job", "-started_at", "-id"], name="monitor_job_runs_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M:%S} {'ok' if self.success else 'failed'}"
