/**
 * The order board: every order in a fast table (or a kanban by status), with filters, search,
 * saved views, bulk actions, a CSV export of the view, and new orders and status changes arriving
 * live. The board's state lives in the URL, so a filtered board can be bookmarked and shared.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent, type MouseEvent } from "react";
import { useAuth } from "../app/auth";
import { Link, navigate, useLocation } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { boardApi, type BoardColumn, type BoardView, type Layout } from "./board/api";
import { BulkBar } from "./board/BulkBar";
import { FilterBar } from "./board/FilterBar";
import {
  ALL_COLUMNS,
  nextOrdering,
  ORDER_WORKERS,
  orderQuery,
  stateFromSearch,
  stateOfView,
  stateToSearch,
  type BoardState,
} from "./board/filters";
import { Kanban } from "./board/Kanban";
import { applyChange, LIVE_EVENT, liveChange, type LiveDetail } from "./board/live";
import { OrderTable } from "./board/OrderTable";
import { SavedViews } from "./board/SavedViews";
import { useOrderPages } from "./board/useOrders";
import { LabelsBar, MergeSuggestionsBoard } from "./parcels/ParcelsPanel";
import "./board/board.css";

function ColumnPicker({ columns, onChange }: { columns: BoardColumn[]; onChange: (columns: BoardColumn[]) => void }) {
  const { t } = useI18n();
  return (
    <details className="board-columns">
      <summary>{t("orders.board.columns")}</summary>
      <div className="board-columns-menu">
        {ALL_COLUMNS.map((column) => (
          <label key={column} className="check">
            <input
              type="checkbox"
              checked={columns.includes(column)}
              disabled={column === "number"}
              onChange={() =>
                onChange(
                  columns.includes(column)
                    ? columns.filter((c) => c !== column)
                    : ALL_COLUMNS.filter((c) => c === column || columns.includes(c)),
                )
              }
            />
            {t(`orders.board.col.${column}` as MessageKey)}
          </label>
        ))}
      </div>
    </details>
  );
}

/**
 * The CSV export of the view. A HEAD request first (the server counts the rows and answers
 * without writing the file): a view too large to export gets a message here instead of a broken
 * download; otherwise the browser downloads the file, streamed, straight from the server.
 */
function ExportButton({ href }: { href: string }) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    const link = event.currentTarget;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await fetch(href, { method: "HEAD", credentials: "same-origin" });
      if (answer.ok) {
        window.location.assign(link.href);
      } else {
        setProblem(answer.status === 400 ? t("orders.board.exportTooLarge") : t("orders.board.exportFailed"));
      }
    } catch {
      setProblem(t("orders.board.exportFailed"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <a
        className="button"
        href={href}
        download
        onClick={(event) => void start(event)}
        aria-busy={busy}
        data-testid="board-export"
      >
        {t("orders.board.export")}
      </a>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}

export function OrderBoardPage() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canWork = can(ORDER_WORKERS);
  const location = useLocation();
  const initial = useMemo(() => stateFromSearch(location.query), []); // eslint-disable-line react-hooks/exhaustive-deps
  const [state, setState] = useState<BoardState>(initial.state);
  const [viewId, setViewId] = useState<number | null>(initial.viewId);
  const [search, setSearch] = useState(initial.state.filters.q ?? "");
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [fresh, setFresh] = useState(0);
  const [refresh, setRefresh] = useState(0);

  const channels = useApi((signal) => boardApi.channels(signal), []);
  const views = useApi((signal) => boardApi.views(signal), []);
  const channelNames = useMemo(() => new Map((channels.data ?? []).map((c) => [c.code, c.name])), [channels.data]);
  const currentView = views.data?.find((v) => v.id === viewId) ?? null;

  // The query is fixed when the filters change: a "last 7 days" range does not move on every render.
  const stateKey = JSON.stringify([state.filters, state.ordering]);
  const query = useMemo(() => orderQuery(state.filters, state.ordering), [stateKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const table = useOrderPages(state.layout === "table" ? query : null);
  const { setRows, reload } = table;

  useEffect(() => {
    navigate(`/orders${stateToSearch(state, viewId)}`, { replace: true });
  }, [state, viewId]);

  // A URL the board did not write (Back, the nav's link to a bare /orders): the board follows it.
  const searchText = location.query.toString();
  useEffect(() => {
    if (searchText === stateToSearch(state, viewId).replace(/^\?/, "")) return;
    const next = stateFromSearch(new URLSearchParams(searchText));
    setState(next.state);
    setViewId(next.viewId);
    setSearch(next.state.filters.q ?? "");
  }, [searchText]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    setSelected(new Set());
    setFresh(0);
  }, [stateKey, state.layout]);

  useEffect(() => {
    const onLive = (event: Event) => {
      const change = liveChange((event as CustomEvent<LiveDetail>).detail, state.filters);
      if (change?.kind === "new") setFresh((n) => n + 1);
      if (change?.kind === "changed") setRows((rows) => applyChange(rows, change.order));
    };
    window.addEventListener(LIVE_EVENT, onLive);
    return () => window.removeEventListener(LIVE_EVENT, onLive);
  }, [state.filters, setRows]);

  const update = useCallback((patch: Partial<BoardState>) => setState((old) => ({ ...old, ...patch })), []);
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    update({ filters: { ...state.filters, q: search.trim() } });
  };
  const pickView = (view: BoardView | null) => {
    setViewId(view?.id ?? null);
    if (view) {
      const next = stateOfView(view);
      setState(next);
      setSearch(next.filters.q ?? "");
    }
  };
  const showFresh = () => {
    setFresh(0);
    if (state.layout === "kanban") setRefresh((n) => n + 1);
    else reload();
  };

  const cities = useMemo(
    () => [...new Set(table.rows.map((row) => row.shipping_address.city).filter(Boolean))].sort(),
    [table.rows],
  );
  const knownTags = useMemo(() => [...new Set(table.rows.flatMap((row) => row.tags))].sort(), [table.rows]);
  const numbers = useMemo(() => new Map(table.rows.map((row) => [row.id, row.number])), [table.rows]);
  const selection = canWork
    ? {
        selected,
        toggle: (id: number) =>
          setSelected((old) => {
            const next = new Set(old);
            if (next.has(id)) next.delete(id);
            else next.add(id);
            return next;
          }),
        toggleAll: () =>
          setSelected((old) =>
            table.rows.every((r) => old.has(r.id)) ? new Set() : new Set(table.rows.map((r) => r.id)),
          ),
      }
    : null;

  return (
    <section className="page board-page" aria-labelledby="board-title">
      <div className="page-head">
        <h1 id="board-title">{t("orders.board.title")}</h1>
        <div className="toolbar">
          <form role="search" className="board-search" onSubmit={submitSearch}>
            <input
              type="search"
              value={search}
              maxLength={100}
              aria-label={t("orders.board.search")}
              placeholder={t("orders.board.searchHint")}
              onChange={(e) => setSearch(e.target.value)}
            />
            <button type="submit">{t("common.search")}</button>
          </form>
          <div className="segmented" role="group" aria-label={t("orders.board.layout")}>
            {(["table", "kanban"] as Layout[]).map((layout) => (
              <button
                key={layout}
                type="button"
                aria-pressed={state.layout === layout}
                className={state.layout === layout ? "primary" : undefined}
                onClick={() => update({ layout })}
              >
                {t(`orders.board.layout.${layout}`)}
              </button>
            ))}
          </div>
          <ExportButton href={boardApi.exportUrl(query, language)} />
          {canWork && (
            <Link to="/orders/new" className="button primary">
              {t("orders.board.new")}
            </Link>
          )}
        </div>
      </div>

      <SavedViews
        views={views.data ?? []}
        current={currentView}
        state={state}
        onPick={pickView}
        onSaved={(view) => {
          views.setData(
            [...(views.data ?? []).filter((v) => v.id !== view.id), view].sort((a, b) => a.name.localeCompare(b.name)),
          );
          setViewId(view.id);
        }}
        onDeleted={(id) => {
          views.setData((views.data ?? []).filter((v) => v.id !== id));
          setViewId(null);
        }}
        save={(id, body) =>
          id === null
            ? boardApi.createView(body as Parameters<typeof boardApi.createView>[0])
            : boardApi.updateView(id, body)
        }
        remove={boardApi.deleteView}
      />
      <ErrorNote error={views.error} onRetry={views.reload} />

      <FilterBar
        filters={state.filters}
        channels={channels.data ?? []}
        cities={cities}
        knownTags={knownTags}
        onChange={(filters) => update({ filters: { ...filters, q: state.filters.q } })}
      />
      <ErrorNote error={channels.error} onRetry={channels.reload} />

      {fresh > 0 && (
        <div className="board-fresh" role="status">
          {t("orders.board.fresh", { count: fresh })}{" "}
          <button type="button" className="link" onClick={showFresh}>
            {t("orders.board.freshShow")}
          </button>
        </div>
      )}

      <MergeSuggestionsBoard canWork={canWork} onDone={reload} />

      {state.layout === "kanban" ? (
        <Kanban query={query} filters={state.filters} channelNames={channelNames} refresh={refresh} />
      ) : (
        <>
          <div className="toolbar board-table-tools">
            <ColumnPicker columns={state.columns} onChange={(columns) => update({ columns })} />
            {canWork && <LabelsBar selected={[...selected]} onDone={reload} />}
            {canWork && (
              <BulkBar
                selected={[...selected]}
                numbers={numbers}
                apply={boardApi.bulk}
                onDone={() => {
                  setSelected(new Set());
                  reload();
                }}
                onClear={() => setSelected(new Set())}
              />
            )}
          </div>
          <ErrorNote error={table.error} onRetry={table.reload} />
          {table.rows.length > 0 && (
            <div className="board-scroll">
              <OrderTable
                rows={table.rows}
                columns={state.columns}
                channelNames={channelNames}
                ordering={state.ordering}
                onSort={(column) => update({ ordering: nextOrdering(state.ordering, column) })}
                selection={selection}
              />
            </div>
          )}
          {!table.loading && !table.error && table.rows.length === 0 && <Empty>{t("orders.board.empty")}</Empty>}
          {table.loading && <p className="loading">{t("common.loading")}</p>}
          {table.hasMore && !table.loading && (
            <button type="button" onClick={table.loadMore}>
              {t("common.more")}
            </button>
          )}
        </>
      )}
    </section>
  );
}
