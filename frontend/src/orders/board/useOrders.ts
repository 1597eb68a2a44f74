import { useCallback, useEffect, useRef, useState } from "react";
import { boardApi, nextPath, type Order, type OrderQuery } from "./api";

export interface OrderPages {
  rows: Order[];
  hasMore: boolean;
  loading: boolean;
  error: Error | null;
  loadMore: () => void;
  reload: () => void;
  setRows: (update: (rows: Order[]) => Order[]) => void;
}

/**
 * The orders `query` lists, a page at a time (cursor pagination): the first page when the query
 * changes, the next one on `loadMore()`. An answer for a query no longer asked is dropped.
 */
export function useOrderPages(query: OrderQuery | null): OrderPages {
  const [rows, setRowsState] = useState<Order[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const key = query ? JSON.stringify(query) : null;
  const current = useRef<AbortController | null>(null);

  const load = useCallback(
    (cursor: string | null, append: boolean) => {
      if (!query) return;
      current.current?.abort();
      const controller = new AbortController();
      current.current = controller;
      setLoading(true);
      boardApi
        .orders(query, cursor, controller.signal)
        .then((page) => {
          if (controller.signal.aborted) return;
          setRowsState((old) =>
            append ? [...old, ...page.results.filter((r) => !old.some((o) => o.id === r.id))] : page.results,
          );
          setNext(nextPath(page.next));
          setError(null);
        })
        .catch((reason: unknown) => {
          if (!controller.signal.aborted) setError(reason instanceof Error ? reason : new Error(String(reason)));
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );

  useEffect(() => {
    load(null, false);
    return () => current.current?.abort();
  }, [load, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setRows = useCallback((update: (rows: Order[]) => Order[]) => setRowsState(update), []);
  return {
    rows,
    hasMore: next !== null,
    loading,
    error,
    loadMore: () => {
      if (next) load(next, true);
    },
    reload,
    setRows,
  };
}
