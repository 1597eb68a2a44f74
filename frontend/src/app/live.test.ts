import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  LIVE_EVENT,
  LIVE_STATUS_EVENT,
  LiveConnection,
  liveUrl,
  parseLiveMessage,
  type LiveMessage,
  type SocketLike,
} from "./live";

class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedWith: number | undefined = undefined;
  constructor(readonly url: string) {}
  close(code?: number) {
    this.closedWith = code;
  }
  open() {
    this.onopen?.(new Event("open"));
  }
  receive(data: string) {
    this.onmessage?.({ data } as MessageEvent);
  }
  drop() {
    this.onclose?.({ code: 1006 } as CloseEvent);
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
  const target = new EventTarget();
  const messages: LiveMessage[] = [];
  const statuses: boolean[] = [];
  target.addEventListener(LIVE_EVENT, (e) => messages.push((e as CustomEvent<LiveMessage>).detail));
  target.addEventListener(LIVE_STATUS_EVENT, (e) =>
    statuses.push((e as CustomEvent<{ connected: boolean }>).detail.connected),
  );
  const connection = new LiveConnection({
    url: "ws://127.0.0.1:8001/ws/live/",
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    target,
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      (timer as { cleared: boolean }).cleared = true;
    },
    random: () => 0,
  });
  return { connection, sockets, timers, messages, statuses };
}

describe("liveUrl", () => {
  it("uses the page's origin when no live port is named", () => {
    expect(liveUrl({ protocol: "http:", host: "example.cn:8000", hostname: "example.cn" }, null)).toBe(
      "ws://example.cn:8000/ws/live/",
    );
  });
  it("uses the named port on the page's host, and wss under https", () => {
    expect(liveUrl({ protocol: "https:", host: "example.cn", hostname: "example.cn" }, "8443")).toBe(
      "wss://example.cn:8443/ws/live/",
    );
  });
  it("ignores a port that is not a number", () => {
    expect(liveUrl({ protocol: "http:", host: "a:1", hostname: "a" }, "8001/evil")).toBe("ws://a:1/ws/live/");
  });
});

describe("backoffDelay", () => {
  it("doubles from one second up to thirty", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
  it("takes off at most a fifth at random", () => {
    expect(backoffDelay(2, () => 1)).toBe(3200);
  });
});

describe("parseLiveMessage", () => {
  it("reads an event with its order", () => {
    const frame =
      '{"type":"order.status_changed","id":7,"occurred_at":"2026-12-06T05:22:07Z",' +
      '"order":{"id":3,"number":"OF1","status":"paid","channel":"tmall","total_amount":"199.00"}}';
    expect(parseLiveMessage(frame)).toEqual({
      type: "order.status_changed",
      id: 7,
      occurred_at: "2026-12-06T05:22:07Z",
      order: { id: 3, number: "OF1", status: "paid", channel: "tmall", total_amount: "199.00" },
    });
  });
  it("refuses what is not a JSON object with a type", () => {
    expect(["", "nope", "[1]", "null", '{"id":1}', '{"type":""}'].map(parseLiveMessage)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(parseLiveMessage(new ArrayBuffer(2))).toBeNull();
  });
});

describe("LiveConnection", () => {
  it("dispatches one window event per message and says when it is up", () => {
    const { connection, sockets, messages, statuses } = harness();
    connection.start();
    sockets[0].open();
    sockets[0].receive('{"type":"inbox.changed"}');
    sockets[0].receive("garbage");
    sockets[0].receive('{"type":"kpis.changed"}');

    expect(sockets[0].url).toBe("ws://127.0.0.1:8001/ws/live/");
    expect(messages).toEqual([{ type: "inbox.changed" }, { type: "kpis.changed" }]);
    expect(statuses).toEqual([true]);
    expect(connection.connected).toBe(true);
  });

  it("reconnects after a drop with a growing delay, and starts over once connected", () => {
    const { connection, sockets, timers, statuses } = harness();
    connection.start();
    sockets[0].drop();
    timers[0].callback();
    sockets[1].drop();
    timers[1].callback();
    sockets[2].open();
    sockets[2].drop();

    expect(timers.map((t) => t.ms)).toEqual([1000, 2000, 1000]);
    expect(sockets).toHaveLength(3);
    expect(statuses).toEqual([true, false]);
  });

  it("stops: closes the socket, cancels a pending reconnect and opens no other", () => {
    const { connection, sockets, timers, statuses } = harness();
    connection.start();
    sockets[0].open();
    sockets[0].drop();
    connection.stop();
    timers[0].callback();

    expect(timers[0].cleared).toBe(true);
    expect(sockets).toHaveLength(1);
    expect(statuses).toEqual([true, false]);
    expect(connection.connected).toBe(false);
  });

  it("closes an open socket with 1000 when stopped", () => {
    const { connection, sockets } = harness();
    connection.start();
    sockets[0].open();
    connection.stop();

    expect(sockets[0].closedWith).toBe(1000);
  });
});
