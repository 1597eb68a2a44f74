"""Running one piece of work in many threads at the same moment, as concurrent requests or workers do.

Each thread holds a database connection of its own (Django's are per thread) and closes it when it
is done, so the test database can be dropped afterwards. A barrier releases them together, which
is what makes the race real: without it the first thread is often finished before the last starts.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(work: Callable[[int], T], count: int, *, timeout: float = 60.0) -> list[T]:
    """Calls ``work(0)`` … ``work(count - 1)``, each in a thread of its own, all released at once.

    Answers the results in that order. If any call raised, raises the first error after every
    thread has ended; a thread still running after ``timeout`` seconds fails the test."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - raised in the test's thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,), name=f"at-once-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    still_running = [thread.name for thread in threads if thread.is_alive()]
    assert not still_running, f"still running after {timeout:g} s: {still_running}"
    if errors:
        raise errors[0]
    return results
