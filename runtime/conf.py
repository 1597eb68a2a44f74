"""The runtime's tunables, each read from Django settings with the default given here.

Read on every use (not at import), so tests can change them with pytest-django's ``settings``.
"""

from django.conf import settings

DEFAULTS = {
    # Executions of one flow that may run at the same time; more wait as ``pending``.
    "ORDERFLOW_FLOW_CONCURRENCY": 20,
    # Actions that contact customers (``ActionSpec.contacts_customer``), per flow per minute.
    "ORDERFLOW_CUSTOMER_CONTACT_RATE": 60,
    # A flow re-triggered by its own actions on one subject more often than this per minute is suppressed.
    "ORDERFLOW_LOOP_LIMIT_PER_MINUTE": 5,
    # A running execution notices the kill switch before its next action within this many seconds.
    "ORDERFLOW_KILL_SWITCH_RECHECK_SECONDS": 1.0,
    # A drain that starts at most this many executions in a batch runs them itself (no queue trip).
    "ORDERFLOW_DRAIN_INLINE_RUNS": 4,
    # Seconds a django-q2 cluster process keeps a database connection (None: for good); see receivers.
    "ORDERFLOW_WORKER_CONN_MAX_AGE": 600,
    # Executions one run task takes on, one after the other (a backlog costs fewer queue round trips).
    "ORDERFLOW_RUN_TASK_BATCH": 8,
    # How long a claimed execution belongs to its runner before another may take it over.
    "ORDERFLOW_EXECUTION_LEASE_SECONDS": 300,
    # A drain that keeps finding new events hands over to a fresh task after this many seconds.
    "ORDERFLOW_DRAIN_SECONDS": 30,
    # A drain that goes on after a round of fewer events than this waits ..._GATHER_SECONDS first.
    "ORDERFLOW_DRAIN_GATHER_BELOW": 8,
    "ORDERFLOW_DRAIN_GATHER_SECONDS": 0.01,
    # Outbox events dispatched per transaction.
    "ORDERFLOW_DISPATCH_BATCH": 500,
    # Executions the safety-net sweep wakes per run.
    "ORDERFLOW_SWEEP_BATCH": 1000,
    # A pending execution this old is assumed to have lost its queued task; the sweep re-queues it.
    "ORDERFLOW_SWEEP_PENDING_AFTER_SECONDS": 60,
    # A "dispatch requested" flag older than this is assumed lost and is raised again.
    "ORDERFLOW_WAKEUP_STALE_SECONDS": 5,
    # Outbox events a back-test reads at most.
    "ORDERFLOW_BACKTEST_CAP": 5000,
    # Orders a for_each schedule reads per chunk.
    "ORDERFLOW_FOR_EACH_CHUNK": 500,
    # http.request timeouts (connect, read) in seconds.
    "ORDERFLOW_HTTP_TIMEOUT": (5.0, 15.0),
    # http.request may call these internal networks (CIDRs) and host names; every other private,
    # loopback, link-local, multicast or reserved address is refused (see runtime.actions.http).
    "ORDERFLOW_HTTP_ALLOWED_NETWORKS": (),
    # Flow webhook bodies larger than this are refused with 413.
    "ORDERFLOW_FLOW_WEBHOOK_MAX_BYTES": 1024 * 1024,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
