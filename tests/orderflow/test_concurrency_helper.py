"""``tests.concurrency.at_once``, the scaffold of the concurrency tests: it must really overlap the
calls, keep their results in order and not swallow an error."""

import threading

import pytest

from tests.concurrency import at_once


def test_every_call_is_running_before_any_returns_and_results_keep_their_order():
    inside = threading.Barrier(5, timeout=10)  # breaks unless all five are inside at once

    def work(n: int) -> int:
        inside.wait()
        return n * n

    assert at_once(work, 5) == [0, 1, 4, 9, 16]


def test_an_error_in_one_call_is_raised_after_all_have_ended():
    ended = []

    def work(n: int) -> int:
        if n == 2:
            raise ValueError("call 2 failed")
        ended.append(n)
        return n

    with pytest.raises(ValueError, match="call 2 failed"):
        at_once(work, 4)
    assert sorted(ended) == [0, 1, 3]
