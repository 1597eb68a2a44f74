"""Execution and step statuses, in one place.

An execution is ``pending`` until a runner claims it (``running``). It may park as ``waiting`` (a
``delay`` node) or ``retrying`` (a failed step's backoff), each with ``resume_at``; it ends
``succeeded``, ``dead`` (a step failed for good; replayable from that step) or ``suppressed``
(never ran: a loop, or a flow version that no longer validates).
"""

PENDING = "pending"
RUNNING = "running"
WAITING = "waiting"
RETRYING = "retrying"
SUCCEEDED = "succeeded"
DEAD = "dead"
SUPPRESSED = "suppressed"

STATUSES = (PENDING, RUNNING, WAITING, RETRYING, SUCCEEDED, DEAD, SUPPRESSED)
CHOICES = [(s, s) for s in STATUSES]
FINISHED = frozenset({SUCCEEDED, DEAD, SUPPRESSED})
UNFINISHED = frozenset({PENDING, RUNNING, WAITING, RETRYING})
# An unfinished execution in one of these holds back later executions of its subject. A delay
# (``waiting``) deliberately does not: it hands the subject on until it resumes.
BLOCKING = (PENDING, RUNNING, RETRYING)
# What a runner may claim once ``resume_at`` (if any) has come.
CLAIMABLE = (PENDING, RETRYING, WAITING)

# Step records.
STEP_SUCCEEDED = "succeeded"
STEP_FAILED = "failed"
STEP_WAITING = "waiting"
STEP_STATUSES = (STEP_SUCCEEDED, STEP_FAILED, STEP_WAITING)
STEP_CHOICES = [(s, s) for s in STEP_STATUSES]


CONDITION = "condition"
ACTION = "action"
