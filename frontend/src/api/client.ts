/**
 * The one way the app talks to Django: same-origin fetch with the session cookie, the CSRF token
 * on every write, JSON in and out, and the API's `{code, message, details}` error body turned into
 * an `ApiError`. A 401 tells the auth layer that the session is gone.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface Page<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

let onUnauthorized: (() => void) | null = null;

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  // A FormData body (a file upload) goes as multipart: the browser writes its Content-Type and boundary.
  const form = typeof FormData !== "undefined" && options.body instanceof FormData;
  if (options.body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const url = withQuery(path.startsWith("/") ? path : `/api/v1/${path}`, options.query);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : form ? (options.body as FormData) : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "network", {});
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const body = (data ?? {}) as { code?: string; message?: string; details?: unknown };
    if (response.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(
      response.status,
      body.code ?? `http_${response.status}`,
      body.message ?? response.statusText,
      body.details ?? {},
    );
  }
  return data as T;
}

/** Follows a cursor-paginated list answer's `next` links up to `limit` rows. */
export async function apiAll<T>(path: string, query?: Query, limit = 500): Promise<T[]> {
  const rows: T[] = [];
  let url: string | null = withQuery(path.startsWith("/") ? path : `/api/v1/${path}`, query);
  while (url && rows.length < limit) {
    const page: Page<T> | T[] = await api<Page<T> | T[]>(url);
    if (Array.isArray(page)) return page;
    rows.push(...page.results);
    url = page.next
      ? new URL(page.next, window.location.origin).pathname + new URL(page.next, window.location.origin).search
      : null;
  }
  return rows;
}

/** List endpoints answer either a page `{results}` or a bare array; this reads both. */
export function rowsOf<T>(answer: Page<T> | T[] | undefined): T[] {
  if (!answer) return [];
  return Array.isArray(answer) ? answer : answer.results;
}

/** A cursor page's `next` link as a same-origin path the client can call (the API answers absolute URLs). */
export function nextPath(next: string | null | undefined): string | null {
  if (!next) return null;
  const url = new URL(next, "http://same-origin");
  return url.pathname + url.search;
}
