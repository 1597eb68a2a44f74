/** The user's saved views: pick one, save the board into it, save as a new one, rename, delete. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import type { BoardView, BoardViewInput } from "./api";
import { cleanFilters, differsFromView, type BoardState } from "./filters";

/** A saved view's body from the board's state. */
export function viewBody(name: string, state: BoardState): BoardViewInput {
  return {
    name: name.trim(),
    filters: cleanFilters(state.filters),
    columns: state.columns,
    ordering: state.ordering,
    layout: state.layout,
  };
}

/** What an error answer says about the view's name (taken, empty), else its message. */
export function viewError(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details as Record<string, unknown> | undefined;
    const name = details?.name;
    if (Array.isArray(name) && name.length) return String(name[0]);
    return error.message;
  }
  return String(error);
}

type Mode = { kind: "idle" } | { kind: "saveAs" } | { kind: "rename" };

export function SavedViews({
  views,
  current,
  state,
  onPick,
  onSaved,
  onDeleted,
  save,
  remove,
}: {
  views: BoardView[];
  current: BoardView | null;
  state: BoardState;
  onPick: (view: BoardView | null) => void;
  onSaved: (view: BoardView) => void;
  onDeleted: (id: number) => void;
  save: (id: number | null, body: Partial<BoardViewInput>) => Promise<BoardView>;
  remove: (id: number) => Promise<void>;
}) {
  const { t } = useI18n();
  const [mode, setMode] = useState<Mode>({ kind: "idle" });
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setMode({ kind: "idle" });
    } catch (reason) {
      setError(viewError(reason));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError(t("orders.board.views.needName"));
      return;
    }
    if (mode.kind === "saveAs") void run(async () => onSaved(await save(null, viewBody(name, state))));
    if (mode.kind === "rename" && current) void run(async () => onSaved(await save(current.id, { name: name.trim() })));
  };
  const changed = current ? differsFromView(state, current) : false;

  return (
    <div className="board-views" role="group" aria-label={t("orders.board.views")}>
      <label>
        {t("orders.board.views")}
        <select
          aria-label={t("orders.board.views")}
          value={current?.id ?? ""}
          onChange={(e) => onPick(views.find((v) => v.id === Number(e.target.value)) ?? null)}
          data-testid="board-view-picker"
        >
          <option value="">{t("orders.board.views.none")}</option>
          {views.map((view) => (
            <option key={view.id} value={view.id}>
              {view.name}
            </option>
          ))}
        </select>
      </label>
      {changed && <span className="muted small">{t("orders.board.views.changed")}</span>}
      {current && changed && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => onSaved(await save(current.id, viewBody(current.name, state))))}
        >
          {t("orders.board.views.save")}
        </button>
      )}
      {mode.kind === "idle" ? (
        <>
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setName("");
              setError(null);
              setMode({ kind: "saveAs" });
            }}
          >
            {t("orders.board.views.saveAs")}
          </button>
          {current && (
            <>
              <button
                type="button"
                disabled={busy}
                onClick={() => {
                  setName(current.name);
                  setError(null);
                  setMode({ kind: "rename" });
                }}
              >
                {t("orders.board.views.rename")}
              </button>
              <button
                type="button"
                className="danger-button"
                disabled={busy}
                onClick={() => {
                  if (window.confirm(t("orders.board.views.confirmDelete", { name: current.name })))
                    void run(async () => {
                      await remove(current.id);
                      onDeleted(current.id);
                    });
                }}
              >
                {t("common.delete")}
              </button>
            </>
          )}
        </>
      ) : (
        <form className="inline-form" onSubmit={submit}>
          <label>
            {t("orders.board.views.name")}
            <input
              value={name}
              maxLength={60}
              autoFocus
              onChange={(e) => setName(e.target.value)}
              aria-invalid={!!error}
            />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {t("common.save")}
          </button>
          <button type="button" onClick={() => setMode({ kind: "idle" })}>
            {t("common.cancel")}
          </button>
        </form>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
