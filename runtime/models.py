"""The runtime's tables: executions and their steps, action receipts, and the guards' state.

Lock order across the runtime: ``RuntimeLock`` (dispatch) → the commerce rows an action touches
(in commerce's order: the order, then stock by id) → ``Execution`` rows by id → ``FlowSlot``. A
run's transaction performs its actions first and then writes its own execution row and gives its
slot back; the claim locks the execution (skipping a locked one, never waiting) and then the
slot. The slot is the flow's one hot row, so it comes last and is held for the shortest time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from builder.models import Flow, FlowVersion
from commerce.outbox.models import OutboxEvent

from . import statuses


class Execution(models.Model):
    """One run of one flow version: its trigger's context, its status and (in ``steps``) what each node did.

    ``context`` is the context the run started with — ``{"event": {…}, "order": {…}, …}`` — without
    ``steps``: each node's output lives in its ``ExecutionStep`` row, and the runner rebuilds
    ``context["steps"]`` from them, so a resumed run sees exactly what the first runner saw.

    Uniqueness: an outbox event is matched to a flow version at most once
    (``execution_once_per_event_version``); other triggers carry a ``dedupe_key`` (schedule fire,
    for_each order, webhook idempotency key).

    Ordering: executions with the same ``subject_key`` (``"order:123"``) run in ``id`` order; the
    dispatcher creates them in event order. ``lease_owner``/``lease_until`` belong to the runner
    that claimed it; an expired lease means that runner died and another may take over.
    """

    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="executions")
    flow_version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="executions")
    trigger_type = models.CharField(max_length=16)
    event = models.ForeignKey(OutboxEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    subject_key = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=statuses.CHOICES, default=statuses.PENDING)
    status_reason = models.TextField(blank=True)
    context = models.JSONField(default=dict)
    trace_id = models.CharField(max_length=64, blank=True)
    caused_by = models.BigIntegerField(
        null=True, blank=True, help_text="The execution whose action emitted the triggering event."
    )
    self_triggered = models.BooleanField(default=False, help_text="Triggered by an action of the same flow.")
    current_node = models.CharField(max_length=64, blank=True)
    retry_floor = models.PositiveIntegerField(
        default=0, help_text="Attempts of current_node made before the last replay; they do not count."
    )
    resume_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    holds_slot = models.BooleanField(default=False, help_text="Counts against its flow's concurrency limit.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Not columns: what ``runtime.claim`` tells the runner about the execution it claimed.
    first_run: bool  # never started before: no step records to rebuild the state from
    version_checksum: str  # the flow version's checksum, read with the claim

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["event", "flow_version"], name="execution_once_per_event_version"),
        ]
        indexes = [
            models.Index(
                fields=["subject_key", "id"],
                condition=Q(status__in=statuses.BLOCKING),
                name="execution_subject_open_idx",
            ),
            models.Index(
                fields=["status", "resume_at"],
                condition=Q(status__in=statuses.UNFINISHED),
                name="execution_unfinished_idx",
            ),
            models.Index(fields=["flow", "status", "id"], name="execution_flow_status_idx"),
            models.Index(fields=["created_at", "id"], name="execution_created_idx"),
            models.Index(fields=["flow", "subject_key", "created_at"], name="execution_loop_idx"),
            # The flows that ran on one order, newest first (the order detail page).
            models.Index(fields=["subject_key", "created_at"], name="execution_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"execution {self.pk} of flow {self.flow_id} ({self.status})"


class ExecutionStep(models.Model):
    """What one node did in one attempt: its input (resolved params, or the data a rule read),
    output, decision (conditions), error, attempt number and duration.

    One row per (execution, node, attempt). A runner that loses its lease and tries to record an
    attempt the new owner already recorded hits the unique constraint and stops.
    """

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="steps")
    node_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    action = models.CharField(max_length=100, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=statuses.STEP_CHOICES)
    input = models.JSONField(default=dict)
    output = models.JSONField(null=True, blank=True)
    decision = models.BooleanField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("execution_id", "id")
        constraints = [
            models.UniqueConstraint(fields=["execution", "node_id", "attempt"], name="execution_step_unique_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.execution_id}/{self.node_id}#{self.attempt} {self.status}"


class ActionReceipt(models.Model):
    """Proof that an action ran: its idempotency key (``"<execution id>:<node id>"``) and output.

    Written in the same transaction as the action's database side effects, under a unique key, so
    an action either happened and has its receipt, or neither — and never happens twice.
    """

    key = models.CharField(max_length=100, unique=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="receipts")
    node_id = models.CharField(max_length=64)
    action = models.CharField(max_length=100)
    output = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


KILL_SWITCH_ID = 1


class KillSwitch(models.Model):
    """The global kill switch, one row (``KILL_SWITCH_ID``): while ``engaged`` nothing new runs, pending work waits."""

    engaged = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "engaged" if self.engaged else "released"


class RuntimeLock(models.Model):
    """Named rows locked ``FOR UPDATE`` to run one thing at a time across processes (``dispatch``)."""

    name = models.CharField(max_length=32, primary_key=True)

    def __str__(self) -> str:
        return self.name


class WakeUp(models.Model):
    """A "work requested" flag per worker kind (``dispatch``), so a burst of events queues one task, not thousands.

    ``requested`` stays raised from the request until the drain it queued ends; ``generation``
    counts the requests, so a drain can tell whether any came while it ran (see ``dispatch``).
    """

    name = models.CharField(max_length=32, primary_key=True)
    requested = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True, blank=True)
    generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {'requested' if self.requested else 'idle'}"


class FlowSlot(models.Model):
    """How many executions of a flow are running now; claimed with a conditional ``UPDATE`` under the limit.

    ``starved`` is raised when a claim was refused for want of a slot, so the runner that frees
    one knows to wake the waiting executions.
    """

    flow = models.OneToOneField(Flow, primary_key=True, on_delete=models.CASCADE, related_name="+")
    running = models.IntegerField(default=0)
    starved = models.BooleanField(default=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(running__gte=0), name="flow_slot_running_not_negative")]

    def __str__(self) -> str:
        return f"flow {self.flow_id}: {self.running} running"


class RateWindow(models.Model):
    """Customer-contacting actions of a flow in one minute, for the rate limit."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "window_start"], name="rate_window_unique")]

    def __str__(self) -> str:
        return f"flow {self.flow_id} @ {self.window_start:%H:%M}: {self.count}"


class ScheduleFire(models.Model):
    """When a schedule flow version last fired, so each cron time fires once, whichever worker ticks."""

    flow_version = models.OneToOneField(FlowVersion, primary_key=True, on_delete=models.PROTECT, related_name="+")
    last_fire_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"version {self.flow_version_id} last fired {self.last_fire_at:%Y-%m-%d %H:%M}"


class ForEachFire(models.Model):
    """When a for_each schedule version last fired for an order: at most once, or again after its cooldown."""

    flow_version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="+")
    order_id = models.BigIntegerField()
    last_fired_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow_version", "order_id"], name="for_each_fire_unique")]

    def __str__(self) -> str:
        return f"version {self.flow_version_id} order {self.order_id}"
