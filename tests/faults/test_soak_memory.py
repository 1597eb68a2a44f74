"""``tests/faults/soak.py``'s memory summary: the slope is taken after each process's own warm-up,
so a worker django-q2 recycled mid-run is not reported as a leak."""

from tests.faults.soak import memory_summary


def _samples(start: float, seconds: float, mb, every: float = 10.0) -> list[tuple[float, float]]:
    return [(start + t, mb(t)) for t in [n * every for n in range(int(seconds // every) + 1)]]


def test_a_process_seen_all_run_gets_the_slope_after_its_first_minute():
    # 40 MB of warm-up in the first minute, then 1 MB a minute.
    points = _samples(0, 180, lambda t: 100 + 40 * min(t, 60) / 60 + max(t - 60, 0) / 60)

    summary = memory_summary(points)

    assert summary["slope_mb_per_min"] == 1.0
    assert (summary["rss_start_mb"], summary["rss_end_mb"], summary["seen_s"]) == (100.0, 142.0, 180)


def test_a_worker_recycled_mid_run_has_no_slope_from_its_warm_up():
    # Born 150 s into the run, seen 30 s, growing 20 MB a minute while it warms up.
    points = _samples(150, 30, lambda t: 105 + 20 * t / 60)

    assert memory_summary(points)["slope_mb_per_min"] is None


def test_a_steady_leak_is_still_reported():
    points = _samples(20, 200, lambda t: 110 + 3 * t / 60)

    assert memory_summary(points)["slope_mb_per_min"] == 3.0
