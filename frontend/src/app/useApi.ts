import { useCallback, useEffect, useRef, useState } from "react";
import { api, nextPath, type Page } from "../api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Runs `load` now and whenever `deps` change; `reload()` runs it again. Stale answers are dropped.
 *
 * `setData` is a local change (a row added or removed after a write). A load still in flight when it
 * is made may have been answered before the write: its answer is dropped and the load runs again,
 * so a late answer never brings back what the write changed. */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (!controller.signal.aborted) {
          setData(value);
          setError(null);
        }
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason instanceof Error ? reason : new Error(String(reason)));
      })
      .finally(() => {
        if (!controller.signal.aborted) {
          setLoading(false);
          inFlight.current = null;
        }
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const change = useCallback((value: T) => {
    setData(value);
    if (inFlight.current) {
      inFlight.current.abort();
      inFlight.current = null;
      setTick((n) => n + 1);
    }
  }, []);
  return { data, error, loading, reload, setData: change };
}

export interface PagedList<T> extends Loaded<Page<T>> {
  /** The rows of the first page and of every page loaded since with `more`. */
  rows: T[];
  /** A change the page saw happen (a live event): applied to the rows as they are. */
  setRows: (update: (rows: T[]) => T[]) => void;
  /** A change after the user's own write: applied now, and a first page still loading — perhaps
   * answered before the write, so it would bring the old row back — is loaded again. */
  changeRows: (update: (rows: T[]) => T[]) => void;
  hasMore: boolean;
  more: () => Promise<void>;
}

/** A cursor-paginated list: the first page as `useApi` loads it, then `more()` for each next page. */
export function usePagedApi<T>(load: (signal: AbortSignal) => Promise<Page<T>>, deps: unknown[]): PagedList<T> {
  const first = useApi(load, deps);
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  useEffect(() => {
    if (first.data) {
      setRows(first.data.results);
      setNext(nextPath(first.data.next));
    }
  }, [first.data]);
  const more = useCallback(async () => {
    if (!next) return;
    const page = await api<Page<T>>(next);
    setRows((shown) => [...shown, ...page.results]);
    setNext(nextPath(page.next));
  }, [next]);
  const { loading, reload } = first;
  const changeRows = useCallback(
    (update: (rows: T[]) => T[]) => {
      setRows(update);
      if (loading) reload();
    },
    [loading, reload],
  );
  return { ...first, rows, setRows, changeRows, hasMore: next !== null, more };
}
