import { describe, expect, it } from "vitest";
import {
  byAttention,
  errorHeadline,
  formatDuration,
  healthCounts,
  runTone,
  type JobHealth,
  type JobRun,
} from "./health";

function job(name: string, health: JobHealth["health"]): JobHealth {
  return {
    job: name,
    func: `tasks.${name}`,
    connection: null,
    scheduled: true,
    every_minutes: 1,
    next_run: null,
    health,
    warnings: [],
    last_run_at: null,
    last_success_at: null,
    last_failure_at: null,
    last_error: "",
    consecutive_successes: 0,
    runs_24h: 0,
    failures_24h: 0,
    average_duration_ms: null,
    last_volume: null,
    average_volume: null,
    recent_runs: [],
  };
}

function run(success: boolean, warning: JobRun["warning"] = null): JobRun {
  return {
    id: 1,
    started_at: "2026-12-06T02:00:00Z",
    finished_at: "2026-12-06T02:00:01Z",
    duration_ms: 1000,
    success,
    volume: success ? 3 : null,
    warning,
    error: success ? "" : "boom",
    alert_raised: !success,
  };
}

describe("byAttention", () => {
  it("puts failing jobs first, then warnings, never run, healthy; by name within each", () => {
    const jobs = [job("b", "ok"), job("a", "ok"), job("z", "never_run"), job("y", "failing"), job("x", "warning")];
    expect(byAttention(jobs).map((j) => j.job)).toEqual(["y", "x", "z", "a", "b"]);
  });
});

describe("healthCounts", () => {
  it("counts each health", () => {
    expect(healthCounts([job("a", "ok"), job("b", "ok"), job("c", "failing")])).toEqual({
      failing: 1,
      warning: 0,
      never_run: 0,
      ok: 2,
    });
  });
});

describe("formatDuration", () => {
  it("reads milliseconds, seconds and minutes", () => {
    expect([null, 0, 850, 1000, 1349, 59_999, 60_000, 125_000].map(formatDuration)).toEqual([
      "—",
      "0 ms",
      "850 ms",
      "1.0 s",
      "1.3 s",
      "60.0 s",
      "1 min",
      "2 min 5 s",
    ]);
  });
});

describe("errorHeadline", () => {
  it("keeps the first line of an error, cut to its limit", () => {
    expect(errorHeadline("courier down : Traceback\n  File x")).toBe("courier down : Traceback");
    expect(errorHeadline("x".repeat(10), 5)).toBe("xxxx…");
    expect(errorHeadline("")).toBe("");
  });
});

describe("runTone", () => {
  it("marks failures, volume warnings and plain successes", () => {
    expect([run(false), run(true, "volume_zero"), run(true, "volume_spike"), run(true)].map(runTone)).toEqual([
      "failed",
      "warning",
      "warning",
      "ok",
    ]);
  });
});
