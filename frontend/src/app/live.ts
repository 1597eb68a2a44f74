/**
 * Live updates: one WebSocket to `/ws/live/` while the user is logged in (the Shell opens it), and
 * for every message a window `CustomEvent("orderflow:live", {detail})` (contracts.md, "Live events
 * in the browser"). Pages listen for that event; none of them imports the socket.
 *
 * The socket reconnects after a drop with a growing delay (1 s, 2 s, 4 s … 30 s, with jitter), and
 * reports whether it is up with `orderflow:live-status` so that the Shell polls only while it is down.
 * When daphne serves the socket on a port of its own (`python -m orderflow.run`), the page names
 * it in `<meta name="orderflow-live-port">`; otherwise the socket is on the page's own origin.
 */
import { useEffect, useRef, useState } from "react";

export const LIVE_EVENT = "orderflow:live";
export const LIVE_STATUS_EVENT = "orderflow:live-status";

export interface LiveOrder {
  id: number;
  number: string;
  status: string;
  channel: string;
  total_amount: string;
}

/** One message: an outbox event (`order.created`, `order.status_changed`, `insights.alert`, …)
 * with its `id` and `occurred_at`, or `inbox.changed`, or `kpis.changed`. */
export interface LiveMessage {
  type: string;
  id?: number;
  occurred_at?: string;
  order?: LiveOrder;
}

export interface LiveStatus {
  connected: boolean;
}

/** The smallest part of a browser WebSocket that the connection uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number): void;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** The socket's address: the page's host, on `livePort` when given, `ws:` or `wss:` as the page. */
export function liveUrl(location: { protocol: string; host: string; hostname: string }, livePort: string | null) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const host = livePort && /^\d+$/.test(livePort) ? `${location.hostname}:${livePort}` : location.host;
  return `${scheme}//${host}/ws/live/`;
}

/** How long to wait before reconnect attempt `attempt` (0 first): doubling from 1 s up to 30 s,
 * less up to a fifth at random so that many browsers do not come back in the same instant. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 10));
  return Math.round(full * (1 - 0.2 * random()));
}

/** The message in a frame's text, or null for anything that is not a JSON object with a `type`. */
export function parseLiveMessage(data: unknown): LiveMessage | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const message = value as Record<string, unknown>;
  if (typeof message.type !== "string" || !message.type) return null;
  return message as unknown as LiveMessage;
}

export interface LiveOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  target: EventTarget;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  random?: () => number;
}

/** One live connection: `start()` opens it and keeps it open until `stop()`. */
export class LiveConnection {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private running = false;
  connected = false;

  constructor(private readonly options: LiveOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as number);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000);
    }
    this.setConnected(false);
  }

  private open(): void {
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setConnected(true);
    };
    socket.onmessage = (event) => {
      const message = parseLiveMessage(event.data);
      if (message) this.options.target.dispatchEvent(new CustomEvent(LIVE_EVENT, { detail: message }));
    };
    socket.onerror = () => undefined; // a close follows, and it decides
    socket.onclose = () => {
      this.socket = null;
      this.setConnected(false);
      this.retry();
    };
  }

  private retry(): void {
    if (!this.running) return;
    const delay = backoffDelay(this.attempt++, this.options.random);
    this.timer = (this.options.setTimer ?? setTimeout)(() => {
      this.timer = null;
      if (this.running) this.open();
    }, delay);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.options.target.dispatchEvent(new CustomEvent<LiveStatus>(LIVE_STATUS_EVENT, { detail: { connected } }));
  }
}

let current: LiveConnection | null = null;

/** Whether the app's live socket is open now. */
export function isLiveConnected(): boolean {
  return current?.connected ?? false;
}

/** Whether the app's live socket is open, kept current as it opens and closes (for "live" badges). */
export function useLiveUp(): boolean {
  const [up, setUp] = useState(isLiveConnected);
  useEffect(() => {
    const onStatus = (event: Event) => setUp((event as CustomEvent<LiveStatus>).detail.connected);
    window.addEventListener(LIVE_STATUS_EVENT, onStatus);
    return () => window.removeEventListener(LIVE_STATUS_EVENT, onStatus);
  }, []);
  return up;
}

/** Keeps the app's one live socket open while the calling component (the Shell) is mounted. */
export function useLiveConnection(): void {
  useEffect(() => {
    const port = document.querySelector<HTMLMetaElement>('meta[name="orderflow-live-port"]')?.content ?? null;
    const connection = new LiveConnection({
      url: liveUrl(window.location, port),
      createSocket: (url) => new WebSocket(url),
      target: window,
    });
    current = connection;
    connection.start();
    return () => {
      connection.stop();
      if (current === connection) current = null;
    };
  }, []);
}

/** Calls `handler` for every live message whose type is one of `types` (all when empty). */
export function useLiveEvent(types: readonly string[], handler: (message: LiveMessage) => void): void {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  const key = types.join(",");
  useEffect(() => {
    const wanted = key ? key.split(",") : [];
    const listener = (event: Event) => {
      const message = (event as CustomEvent<LiveMessage>).detail;
      if (wanted.length === 0 || wanted.includes(message.type)) handlerRef.current(message);
    };
    window.addEventListener(LIVE_EVENT, listener);
    return () => window.removeEventListener(LIVE_EVENT, listener);
  }, [key]);
}
