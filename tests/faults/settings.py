"""Fault-injection settings: the benchmark's (the project's own, on a throwaway database) with a
short execution lease, so a run whose worker was killed is taken over in seconds, not minutes."""

from bench.settings import *  # noqa: F403

ORDERFLOW_EXECUTION_LEASE_SECONDS = 8
ORDERFLOW_SWEEP_PENDING_AFTER_SECONDS = 5
