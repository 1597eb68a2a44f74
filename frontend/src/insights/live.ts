/**
 * Live refresh: the app dispatches every WebSocket message as `CustomEvent("orderflow:live")` on
 * `window` (the contract). The dashboard refetches its figures when orders or KPIs change or an
 * alert is raised — at most once per `waitMs`, however many events arrive: a burst of a hundred
 * new orders costs two requests, not a hundred.
 */
import { LIVE_EVENT, type LiveEventDetail } from "./types";

/** Events after which the KPIs, series and backlog may have changed. */
export function changesKpis(type: string): boolean {
  return type.startsWith("order.") || type === "kpis.changed" || type === "insights.alert";
}

/** Events after which the alert lists may have changed. */
export function changesAlerts(type: string): boolean {
  return type === "insights.alert";
}

export const LIVE_WAIT_MS = 2000;

/**
 * Calls `run` at most once per `waitMs`: the first call runs at once, calls within the wait are
 * gathered into one run at its end (so the last change is never missed). `cancel` drops a pending run.
 */
export function throttle(run: () => void, waitMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    last = now();
    run();
  };
  return {
    call() {
      if (timer !== null) return;
      const wait = last + waitMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * `run` while the page is visible; while it is hidden (a background tab) the call is remembered and
 * made once when the page shows again, so a tab nobody looks at does not refetch every 2 seconds.
 * Answers the call and the function that stops watching.
 */
export function whenVisible(run: () => void, page: EventTarget & { hidden: boolean }) {
  let missed = false;
  const onChange = () => {
    if (!page.hidden && missed) {
      missed = false;
      run();
    }
  };
  page.addEventListener("visibilitychange", onChange);
  return {
    call() {
      if (page.hidden) missed = true;
      else run();
    },
    stop: () => page.removeEventListener("visibilitychange", onChange),
  };
}

/**
 * Listens on `target` (the window) for live events that `matches` and runs `run`, throttled.
 * Answers the function that stops listening.
 */
export function onLiveEvents(
  target: EventTarget,
  matches: (type: string) => boolean,
  run: (detail: LiveEventDetail) => void,
  waitMs = LIVE_WAIT_MS,
  now: () => number = Date.now,
): () => void {
  let latest: LiveEventDetail | null = null;
  const throttled = throttle(() => latest && run(latest), waitMs, now);
  const listener = (event: Event) => {
    const detail = (event as CustomEvent<LiveEventDetail>).detail;
    if (!detail || typeof detail.type !== "string" || !matches(detail.type)) return;
    latest = detail;
    throttled.call();
  };
  target.addEventListener(LIVE_EVENT, listener);
  return () => {
    target.removeEventListener(LIVE_EVENT, listener);
    throttled.cancel();
  };
}
