/** The task monitor's figures as the page shows them (kept apart from the page so they are tested alone). */
import type { components } from "../api/schema";

export type JobHealth = components["schemas"]["JobHealth"];
export type JobRun = components["schemas"]["JobRun"];
export type MonitorTasks = components["schemas"]["MonitorTasks"];
export type Health = JobHealth["health"];

/** Roles that may read the task monitor (insights.monitor.api.views.MONITOR_READERS). */
export const MONITOR_READERS = ["admin", "manager", "supervisor"];
/** How often the page asks again; a live `insights.alert` (a job failed) refreshes it at once. */
export const POLL_MS = 15_000;

const HEALTH_ORDER: Record<Health, number> = { failing: 0, warning: 1, never_run: 2, ok: 3 };

/** Jobs in the order they need attention: failing, then warnings, then never run, then healthy; by name within each. */
export function byAttention(jobs: readonly JobHealth[]): JobHealth[] {
  return [...jobs].sort((a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health] || a.job.localeCompare(b.job));
}

/** How many jobs are in each health. */
export function healthCounts(jobs: readonly JobHealth[]): Record<Health, number> {
  const counts: Record<Health, number> = { failing: 0, warning: 0, never_run: 0, ok: 0 };
  for (const job of jobs) counts[job.health] += 1;
  return counts;
}

/** A duration for people: "850 ms", "1.3 s", "2 min 5 s"; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** The message key of a job's name (`monitor.job.orders.expire_unpaid`); the page falls back to the code. */
export function jobTitleKey(job: string): string {
  return `monitor.job.${job}`;
}

/** The first line of an error (the rest is its traceback), at most `max` characters. */
export function errorHeadline(error: string, max = 160): string {
  const line = error.trim().split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What one recent run looks like in the strip: failed, warned (volume) or ok. */
export function runTone(run: JobRun): "failed" | "warning" | "ok" {
  if (!run.success) return "failed";
  return run.warning ? "warning" : "ok";
}
