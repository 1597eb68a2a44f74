/** The order's parcels: merge suggestions (合单), split (拆单), e-waybills, hand-over and labels. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { Link } from "../../app/router";
import { useApi } from "../../app/useApi";
import { Empty, translateOr } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { labelsOpen, parcelsApi, skuList, type Courier, type Parcel } from "./api";

const COURIERS: Courier[] = ["sf", "kuaidi100"];

/** The user's words for a refused call: the known codes in the user's language, with the first detail. */
export function useParcelError() {
  const { t } = useI18n();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const details = error.details && typeof error.details === "object" ? Object.values(error.details) : [];
      const detail = details.map((value) => (Array.isArray(value) ? value.join(" ") : String(value))).join("; ");
      const text = translateOr(t, `parcels.error.${error.code}`, "");
      if (text) return text.replace("{detail}", detail);
      return [error.message, detail].filter(Boolean).join(" ");
    }
    return error instanceof Error ? error.message : String(error);
  };
}

export function ParcelCard({
  parcel,
  orderId,
  canWork,
  busy,
  act,
}: {
  parcel: Parcel;
  orderId: number;
  canWork: boolean;
  busy: boolean;
  act: (work: () => Promise<unknown>) => void;
}) {
  const { t } = useI18n();
  const [courier, setCourier] = useState<Courier>("sf");
  const others = parcel.orders.filter((o) => o.id !== orderId);
  return (
    <article className="parcel" data-testid={`parcel-${parcel.number}`}>
      <h3>
        {parcel.number} <span className="badge">{translateOr(t, `parcels.kind.${parcel.kind}`, parcel.kind)}</span>{" "}
        <span className="badge">{translateOr(t, `parcels.status.${parcel.status}`, parcel.status)}</span>
      </h3>
      <p className="muted small">
        {[
          parcel.warehouse && `${t("parcels.warehouse")} ${parcel.warehouse}`,
          parcel.tracking_no && `${t("parcels.trackingNo")} ${parcel.tracking_no}`,
          parcel.note,
        ]
          .filter(Boolean)
          .join(" · ")}
      </p>
      {others.length > 0 && (
        <p className="small">
          {t("parcels.orders")}:{" "}
          {others.map((o) => (
            <Link key={o.id} to={`/orders/${o.id}`}>
              {o.number}{" "}
            </Link>
          ))}
        </p>
      )}
      <ul className="rows small">
        {parcel.lines.map((line) => (
          <li key={`${line.order_id}-${line.line_id}`}>
            {line.order_id !== orderId && `${line.order_number} · `}
            {line.sku} × {line.quantity} {line.title}
          </li>
        ))}
      </ul>
      {canWork && (
        <div className="inline-form">
          {parcel.status === "planned" && (
            <>
              <select
                aria-label={t("parcels.courier")}
                value={courier}
                onChange={(e) => setCourier(e.target.value as Courier)}
              >
                {COURIERS.map((c) => (
                  <option key={c} value={c}>
                    {t(`parcels.courier.${c}`)}
                  </option>
                ))}
              </select>
              <button type="button" disabled={busy} onClick={() => act(() => parcelsApi.waybill(parcel.id, courier))}>
                {t("parcels.waybill")}
              </button>
            </>
          )}
          {parcel.status === "waybilled" && (
            <button type="button" disabled={busy} onClick={() => act(() => parcelsApi.ship(parcel.id))}>
              {t("parcels.ship")}
            </button>
          )}
          {parcel.status === "waybilled" && (
            <button
              type="button"
              disabled={busy}
              data-testid={`parcel-waybill-cancel-${parcel.id}`}
              onClick={() => act(() => parcelsApi.cancelWaybill(parcel.id, t("parcels.cancelWaybillReason")))}
            >
              {t("parcels.cancelWaybill")}
            </button>
          )}
          {parcel.tracking_no && (
            <button type="button" disabled={busy} onClick={() => act(() => labelsOpen({ parcel_ids: [parcel.id] }))}>
              {t("parcels.printLabel")}
            </button>
          )}
          {parcel.kind === "merged" && (parcel.status === "planned" || parcel.status === "waybilled") && (
            <button type="button" disabled={busy} onClick={() => act(() => parcelsApi.unmerge(parcel.id))}>
              {t("parcels.unmerge")}
            </button>
          )}
        </div>
      )}
    </article>
  );
}

export function ParcelsPanel({
  orderId,
  canWork,
  onChanged,
}: {
  orderId: number;
  canWork: boolean;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const explain = useParcelError();
  const parcels = useApi((signal) => parcelsApi.ofOrder(orderId, signal), [orderId]);
  const suggestions = useApi((signal) => parcelsApi.suggestions(orderId, signal), [orderId]);
  const [by, setBy] = useState<"warehouse" | "availability">("availability");
  const [later, setLater] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");

  const act = async (work: () => Promise<unknown>, done?: (answer: unknown) => void) => {
    setBusy(true);
    setError("");
    setNotice("");
    try {
      const answer = await work();
      done?.(answer);
      parcels.reload();
      suggestions.reload();
      onChanged();
    } catch (reason) {
      setError(explain(reason));
    } finally {
      setBusy(false);
    }
  };
  const split = (event: FormEvent) => {
    event.preventDefault();
    void act(() => parcelsApi.split(orderId, by, skuList(later)));
  };

  const mine = parcels.data ?? [];
  const groups = suggestions.data ?? [];
  const open = mine.every((p) => p.status === "planned");
  return (
    <div data-testid="order-parcels-panel">
      {error && (
        <p className="error-note" role="alert">
          {error}
        </p>
      )}
      {notice && <p className="ok-note">{notice}</p>}
      {mine.length === 0 ? <Empty>{t("parcels.none")}</Empty> : null}
      {mine.map((parcel) => (
        <ParcelCard
          key={parcel.id}
          parcel={parcel}
          orderId={orderId}
          canWork={canWork}
          busy={busy}
          act={(work) => void act(work)}
        />
      ))}
      <h3>{t("parcels.suggestions")}</h3>
      <p className="muted small">{t("parcels.suggestionsHint")}</p>
      {groups.length === 0 ? (
        <p className="muted small">{t("parcels.noSuggestions")}</p>
      ) : (
        groups.map((group) => (
          <div key={group.key} className="inline-form" data-testid="merge-suggestion">
            <span>
              {group.orders.map((o) => (
                <Link key={o.id} to={`/orders/${o.id}`}>
                  {o.number} ({o.channel} ¥{o.total_amount}){" "}
                </Link>
              ))}
            </span>
            {canWork && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act(
                    () => parcelsApi.merge(group.orders.map((o) => o.id)),
                    (answer) => setNotice(t("parcels.merged", { number: (answer as Parcel).number })),
                  )
                }
              >
                {t("parcels.merge")}
              </button>
            )}
          </div>
        ))
      )}
      {canWork && open && (
        <form className="inline-form" onSubmit={split} aria-label={t("parcels.split")}>
          <label>
            {t("parcels.splitBy")}{" "}
            <select value={by} onChange={(e) => setBy(e.target.value as typeof by)}>
              <option value="availability">{t("parcels.splitBy.availability")}</option>
              <option value="warehouse">{t("parcels.splitBy.warehouse")}</option>
            </select>
          </label>
          {by === "availability" && (
            <input
              value={later}
              onChange={(e) => setLater(e.target.value)}
              maxLength={500}
              placeholder={t("parcels.laterSkus")}
              aria-label={t("parcels.laterSkus")}
            />
          )}
          <button type="submit" disabled={busy}>
            {t("parcels.split")}
          </button>
        </form>
      )}
      <p className="muted small">{t("parcels.partialRule")}</p>
    </div>
  );
}

/** On the order board: e-waybills and one PDF of labels for the selected orders (a pick wave). */
export function LabelsBar({ selected, onDone }: { selected: number[]; onDone: () => void }) {
  const { t } = useI18n();
  const explain = useParcelError();
  const [courier, setCourier] = useState<Courier>("sf");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  if (selected.length === 0) return null;
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage("");
    try {
      await work();
    } catch (reason) {
      setMessage(explain(reason));
    } finally {
      setBusy(false);
    }
  };
  const waybills = () =>
    run(async () => {
      const answer = await parcelsApi.waybills(selected, courier);
      const failed = Object.keys(answer.errors);
      if (failed.length) setMessage(t("parcels.waybillErrors", { count: failed.length, numbers: failed.join(", ") }));
      onDone();
    });
  return (
    <div className="inline-form board-labels" data-testid="labels-bar">
      <select aria-label={t("parcels.courier")} value={courier} onChange={(e) => setCourier(e.target.value as Courier)}>
        {COURIERS.map((c) => (
          <option key={c} value={c}>
            {t(`parcels.courier.${c}`)}
          </option>
        ))}
      </select>
      <button type="button" disabled={busy} onClick={() => void waybills()}>
        {t("parcels.waybillsFor")}
      </button>
      <button type="button" disabled={busy} onClick={() => void run(() => labelsOpen({ order_ids: selected }))}>
        {t("parcels.printLabels")}
      </button>
      {message && (
        <span className="error-note" role="alert">
          {message}
        </span>
      )}
    </div>
  );
}

/** On the order board: the groups of orders that could ship as one parcel, each mergeable at once. */
export function MergeSuggestionsBoard({ canWork, onDone }: { canWork: boolean; onDone: () => void }) {
  const { t } = useI18n();
  const explain = useParcelError();
  const found = useApi((signal) => parcelsApi.suggestions(null, signal), []);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const groups = found.data ?? [];
  if (groups.length === 0) return null;
  const merge = async (ids: number[]) => {
    setBusy(true);
    setMessage("");
    try {
      const parcel = await parcelsApi.merge(ids);
      setMessage(t("parcels.merged", { number: parcel.number }));
      found.reload();
      onDone();
    } catch (reason) {
      setMessage(explain(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel board-merge" data-testid="board-merge-suggestions">
      <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
        {t("parcels.boardSuggestions", { count: groups.length })}
      </button>
      {message && <p className="small">{message}</p>}
      {open &&
        groups.map((group) => (
          <div key={group.key} className="inline-form" data-testid="merge-suggestion">
            <span>
              {group.customer.name as string} ·{" "}
              {group.orders.map((o) => (
                <Link key={o.id} to={`/orders/${o.id}`}>
                  {o.number}{" "}
                </Link>
              ))}
            </span>
            {canWork && (
              <button type="button" disabled={busy} onClick={() => void merge(group.orders.map((o) => o.id))}>
                {t("parcels.merge")}
              </button>
            )}
          </div>
        ))}
    </div>
  );
}
