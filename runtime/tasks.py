"""django-q2 task functions. Each fetches by id (where there is one) and calls a service."""

from datetime import datetime

from . import conf
from .dispatch import outbox_drain
from .engine import execution_run, executions_run
from .schedule import schedule_tick
from .services import runtime_sweep


def outbox_drain_task() -> int:
    return outbox_drain(run_inline=conf.get("ORDERFLOW_DRAIN_INLINE_RUNS"))


def execution_run_task(execution_id: int, now: datetime | None = None) -> str:
    return execution_run(execution_id=execution_id, now=now)


def executions_run_task(execution_ids: list[int], now: datetime | None = None) -> list[str]:
    return executions_run(execution_ids=execution_ids, now=now)


def runtime_sweep_task(all_pending: bool = False) -> dict:
    return runtime_sweep(all_pending=all_pending)


def schedule_tick_task() -> dict[int, int]:
    return schedule_tick()
