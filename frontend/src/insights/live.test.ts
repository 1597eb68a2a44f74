import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { changesAlerts, changesKpis, onLiveEvents, throttle, whenVisible } from "./live";
import { LIVE_EVENT } from "./types";

const send = (target: EventTarget, type: string) =>
  target.dispatchEvent(new CustomEvent(LIVE_EVENT, { detail: { type, id: 1, occurred_at: "2026-12-06T05:00:00Z" } }));

describe("which live events refetch what", () => {
  it("refetches the KPIs on order events, kpis.changed and alerts", () => {
    for (const type of ["order.created", "order.status_changed", "order.paid", "kpis.changed", "insights.alert"])
      expect(changesKpis(type)).toBe(true);
    for (const type of ["inbox.changed", "shipment.created", "refund.paid", "orders"])
      expect(changesKpis(type)).toBe(false);
  });

  it("reloads the alerts on insights.alert only", () => {
    expect(changesAlerts("insights.alert")).toBe(true);
    expect(changesAlerts("order.created")).toBe(false);
    expect(changesAlerts("kpis.changed")).toBe(false);
  });
});

describe("live refetch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("refetches at once, then at most once per 2 seconds however many events arrive", () => {
    const target = new EventTarget();
    const refetch = vi.fn();
    const stop = onLiveEvents(target, changesKpis, refetch, 2000);

    send(target, "order.created");
    expect(refetch).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 50; i += 1) {
      vi.advanceTimersByTime(20);
      send(target, i % 2 ? "order.paid" : "kpis.changed");
    }
    // 1 s after the first: the burst is gathered, not yet run
    expect(refetch).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    expect(refetch).toHaveBeenCalledTimes(1);
    // 2 s after the first run: the gathered one runs
    vi.advanceTimersByTime(1);
    expect(refetch).toHaveBeenCalledTimes(2);
    // the gathered run saw the latest event
    expect(refetch.mock.lastCall?.[0].type).toBe("order.paid");
    vi.advanceTimersByTime(10_000);
    expect(refetch).toHaveBeenCalledTimes(2);

    // quiet for longer than the wait: the next event runs at once again
    send(target, "insights.alert");
    expect(refetch).toHaveBeenCalledTimes(3);
    stop();
  });

  it("ignores other events and malformed ones", () => {
    const target = new EventTarget();
    const refetch = vi.fn();
    const stop = onLiveEvents(target, changesKpis, refetch, 2000);
    send(target, "inbox.changed");
    target.dispatchEvent(new CustomEvent(LIVE_EVENT, { detail: null }));
    target.dispatchEvent(new CustomEvent(LIVE_EVENT, { detail: { id: 3 } }));
    target.dispatchEvent(new CustomEvent("other", { detail: { type: "order.created" } }));
    vi.advanceTimersByTime(5000);
    expect(refetch).not.toHaveBeenCalled();
    stop();
  });

  it("stops listening, and drops a gathered run, once the page leaves", () => {
    const target = new EventTarget();
    const refetch = vi.fn();
    const stop = onLiveEvents(target, changesKpis, refetch, 2000);
    send(target, "order.created");
    send(target, "order.created");
    stop();
    vi.advanceTimersByTime(5000);
    send(target, "order.created");
    expect(refetch).toHaveBeenCalledTimes(1);
  });

  it("throttle spaces runs by the wait measured from the last run", () => {
    const run = vi.fn();
    const throttled = throttle(run, 2000);
    throttled.call();
    vi.advanceTimersByTime(1500);
    throttled.call();
    vi.advanceTimersByTime(499);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe("a hidden page", () => {
  it("refetches once when it shows again, not while hidden", () => {
    const page = Object.assign(new EventTarget(), { hidden: false });
    const refetch = vi.fn();
    const visible = whenVisible(refetch, page);
    visible.call();
    expect(refetch).toHaveBeenCalledTimes(1);

    page.hidden = true;
    visible.call();
    visible.call();
    expect(refetch).toHaveBeenCalledTimes(1);
    page.hidden = false;
    page.dispatchEvent(new Event("visibilitychange"));
    expect(refetch).toHaveBeenCalledTimes(2);
    // shown again with nothing missed: no refetch
    page.dispatchEvent(new Event("visibilitychange"));
    expect(refetch).toHaveBeenCalledTimes(2);

    visible.stop();
    page.hidden = true;
    visible.call();
    page.hidden = false;
    page.dispatchEvent(new Event("visibilitychange"));
    expect(refetch).toHaveBeenCalledTimes(2);
  });
});
