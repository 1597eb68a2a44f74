/**
 * One order: lines, customer, amounts, payments and refunds, parcels with their tracking, tickets,
 * the flows that ran on it, tags and notes with the actions the user's role allows, and the status
 * trace — every audited change with its source in words. Refreshes when a live event names the order.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { api, rowsOf, type Page } from "../../api/client";
import type { components } from "../../api/schema";
import type { Execution } from "../../api/types";
import { useAuth } from "../../app/auth";
import { Link } from "../../app/router";
import { useApi } from "../../app/useApi";
import { Empty, ErrorNote, StatusBadge, translateOr } from "../../components/common";
import { formatTime, useI18n } from "../../i18n/i18n";
import { FilingLinkButton } from "../../refunds/EvidenceSection";
import "./detail.css";
import { ParcelsPanel } from "../parcels/ParcelsPanel";
import { ORDER_WORKERS } from "./roles";
import {
  appPath,
  concernsOrder,
  NEXT_STATUSES,
  notesOf,
  originText,
  statusName,
  traceClock,
  traceDay,
  traceWhat,
  type TimelineEntry,
} from "./trace";

type Workspace = components["schemas"]["OrderWorkspace"];
type Order = components["schemas"]["Order"];

function OrderStatus({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge order-status order-status-${status}`}>{statusName(t, status)}</span>;
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel order-section" aria-labelledby={`${id}-title`} data-testid={`order-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

function money(value: string | null | undefined): string {
  return value === null || value === undefined ? "—" : `¥${value}`;
}

function Actions({ order, onDone }: { order: Order; onDone: (order: Order) => void }) {
  const { t } = useI18n();
  const [tag, setTag] = useState("");
  const [note, setNote] = useState("");
  const [holdReason, setHoldReason] = useState("");
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState("");
  const next = NEXT_STATUSES[order.status] ?? [];

  const run = async (path: string, body: unknown, after?: () => void) => {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      const answer = await api<Order | { outcome: string; order: Order }>(`orders/${order.id}/${path}`, {
        method: "POST",
        body,
      });
      if ("outcome" in answer) {
        if (answer.outcome === "ignored") setNotice(t("orderDetail.ignoredMove"));
        onDone(answer.order);
      } else onDone(answer);
      after?.();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (handler: () => void) => (event: FormEvent) => {
    event.preventDefault();
    handler();
  };

  return (
    <div className="order-actions" data-testid="order-actions">
      <ErrorNote error={error} />
      {notice && <p className="warn-note">{notice}</p>}
      {order.on_hold ? (
        <form className="inline-form" onSubmit={submit(() => void run("release/", {}))}>
          <button type="submit" disabled={busy}>
            {t("orderDetail.release")}
          </button>
        </form>
      ) : (
        <form
          className="inline-form"
          onSubmit={submit(() => void run("hold/", { reason: holdReason.trim() }, () => setHoldReason("")))}
        >
          <input
            value={holdReason}
            onChange={(e) => setHoldReason(e.target.value)}
            maxLength={200}
            placeholder={t("orderDetail.holdReasonLabel")}
            aria-label={t("orderDetail.holdReasonLabel")}
          />
          <button type="submit" disabled={busy || !holdReason.trim()}>
            {t("orderDetail.hold")}
          </button>
        </form>
      )}
      <form className="inline-form" onSubmit={submit(() => void run("tags/", { tag: tag.trim() }, () => setTag("")))}>
        <input
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          maxLength={32}
          placeholder={t("orderDetail.tagPlaceholder")}
          aria-label={t("orderDetail.addTag")}
        />
        <button type="submit" disabled={busy || !tag.trim()}>
          {t("orderDetail.addTag")}
        </button>
      </form>
      <form
        className="inline-form"
        onSubmit={submit(() => void run("transition/", { to, reason: reason.trim() }, () => setReason("")))}
      >
        <select
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-label={t("orderDetail.transitionTo")}
          disabled={next.length === 0}
        >
          <option value="">{next.length ? t("orderDetail.transitionTo") : t("orderDetail.noTransition")}</option>
          {next.map((status) => (
            <option key={status} value={status}>
              {statusName(t, status)}
            </option>
          ))}
        </select>
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={200}
          placeholder={t("orderDetail.reason")}
          aria-label={t("orderDetail.reason")}
        />
        <button type="submit" disabled={busy || !to}>
          {t("orderDetail.transition")}
        </button>
      </form>
      <form
        className="inline-form note-form"
        onSubmit={submit(() => void run("notes/", { text: note.trim() }, () => setNote("")))}
      >
        <textarea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
          rows={2}
          aria-label={t("orderDetail.addNote")}
          placeholder={t("orderDetail.addNote")}
        />
        <button type="submit" disabled={busy || !note.trim()}>
          {t("orderDetail.addNote")}
        </button>
      </form>
    </div>
  );
}

function TracePanel({ entries }: { entries: TimelineEntry[] }) {
  const { t, language } = useI18n();
  let day = "";
  return (
    <ol className="trace" aria-label={t("orderDetail.trace")}>
      {entries.map((entry) => {
        const thisDay = traceDay(entry.occurred_at);
        const showDay = thisDay !== day;
        day = thisDay;
        const link = entry.origin?.link;
        return (
          <li
            key={entry.id}
            className={`trace-entry trace-${entry.action} ${entry.ignored ? "trace-ignored" : ""}`}
            data-testid="trace-entry"
            data-action={entry.action}
          >
            {showDay && <div className="trace-day">{thisDay}</div>}
            <div className="trace-head">
              <time dateTime={entry.occurred_at} className="trace-time">
                {traceClock(entry.occurred_at)}
              </time>{" "}
              <span className={`trace-origin origin-${entry.origin?.kind ?? "system"}`} data-testid="trace-origin">
                {link ? <Link to={appPath(link)}>{originText(entry, language)}</Link> : originText(entry, language)}
              </span>
              {entry.ignored && (
                <span className="badge trace-ignored-badge" data-testid="trace-ignored">
                  {t("orderDetail.ignored")}
                </span>
              )}
            </div>
            <div className="trace-what">{traceWhat(entry, t)}</div>
          </li>
        );
      })}
    </ol>
  );
}

export function OrderDetailPage({ id }: { id: number }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canWork = can(ORDER_WORKERS);
  const workspace = useApi((signal) => api<Workspace>(`orders/${id}/workspace/`, { signal }), [id]);
  const timeline = useApi(
    (signal) => api<{ results: TimelineEntry[] }>(`orders/${id}/timeline/`, { signal }).then((a) => a.results),
    [id],
  );
  const executions = useApi(
    (signal) =>
      api<Page<Execution> | Execution[]>("executions/", {
        query: { subject: `order:${id}`, page_size: 50 },
        signal,
      }).then(rowsOf),
    [id],
  );
  const [liveNote, setLiveNote] = useState(false);
  const [untagError, setUntagError] = useState<Error | null>(null);

  useEffect(() => {
    const onLive = (event: Event) => {
      if (!concernsOrder((event as CustomEvent).detail, id)) return;
      workspace.reload();
      timeline.reload();
      executions.reload();
      setLiveNote(true);
    };
    window.addEventListener("orderflow:live", onLive);
    return () => window.removeEventListener("orderflow:live", onLive);
  }, [id, workspace.reload, timeline.reload, executions.reload]); // eslint-disable-line react-hooks/exhaustive-deps

  const changed = (order: Order) => {
    if (workspace.data) workspace.setData({ ...workspace.data, order });
    timeline.reload();
  };
  const untag = async (tag: string) => {
    setUntagError(null);
    try {
      changed(await api<Order>(`orders/${id}/tags/remove/`, { method: "POST", body: { tag } }));
    } catch (reason) {
      setUntagError(reason as Error);
    }
  };

  const data = workspace.data;
  if (!data) {
    const missing = (workspace.error as { status?: number } | null)?.status === 404;
    return (
      <section className="page">
        {missing ? <p className="error-note">{t("orderDetail.notFound")}</p> : null}
        {!missing && <ErrorNote error={workspace.error} onRetry={workspace.reload} />}
        {workspace.loading && <p className="loading">{t("common.loading")}</p>}
      </section>
    );
  }
  const order = data.order;
  const address = order.shipping_address;
  const customer = order.customer;
  const entries = timeline.data ?? [];
  const notes = notesOf(entries);

  return (
    <section className="page order-detail" data-testid="order-detail">
      <div className="page-head">
        <div>
          <p className="small">
            <Link to="/orders">{t("orderDetail.back")}</Link>
          </p>
          <h1>
            {t("orderDetail.title", { number: order.number })} <OrderStatus status={order.status} />
            {order.on_hold && <span className="badge status-failed">{t("orderDetail.onHold")}</span>}
          </h1>
          <p className="muted">
            {data.channel.name} · {t("orderDetail.externalId")} {order.external_id} · {t("orderDetail.placedAt")}{" "}
            {formatTime(order.placed_at, language)}
            {order.paid_at && ` · ${t("orderDetail.paidAt")} ${formatTime(order.paid_at, language)}`}
          </p>
          {order.on_hold && order.hold_reason && (
            <p className="warn-note">{t("orderDetail.holdReason", { reason: order.hold_reason })}</p>
          )}
          {order.gift_for && (
            <p className="small">
              <Link to={`/orders/${order.gift_for}`}>{t("orderDetail.giftFor", { id: order.gift_for })}</Link>
            </p>
          )}
        </div>
      </div>
      {liveNote && (
        <p className="ok-note small" role="status">
          {t("orderDetail.live")}
        </p>
      )}
      <div className="order-grid">
        <div className="order-main">
          <Section id="lines" title={t("orderDetail.lines")}>
            <table className="table">
              <thead>
                <tr>
                  <th>{t("orderDetail.sku")}</th>
                  <th>{t("orderDetail.product")}</th>
                  <th className="num">{t("orderDetail.quantity")}</th>
                  <th className="num">{t("orderDetail.unitPrice")}</th>
                  <th className="num">{t("orderDetail.lineTotal")}</th>
                </tr>
              </thead>
              <tbody>
                {order.lines.map((line) => (
                  <tr key={line.id}>
                    <td>{line.sku}</td>
                    <td>{line.title}</td>
                    <td className="num">{line.quantity}</td>
                    <td className="num">{money(line.unit_price)}</td>
                    <td className="num">{money(line.line_total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <dl className="facts amounts" aria-label={t("orderDetail.amounts")}>
              <dt>{t("orderDetail.goods")}</dt>
              <dd className="num">{money(order.goods_amount)}</dd>
              <dt>{t("orderDetail.shipping")}</dt>
              <dd className="num">{money(order.shipping_amount)}</dd>
              <dt>{t("orderDetail.discount")}</dt>
              <dd className="num">−{money(order.discount_amount)}</dd>
              <dt>{t("orderDetail.total")}</dt>
              <dd className="num">
                <strong>{money(order.total_amount)}</strong>
              </dd>
            </dl>
          </Section>

          <Section id="customer" title={t("orderDetail.customer")}>
            <dl className="facts">
              <dt>{t("orderDetail.name")}</dt>
              <dd>{customer.name}</dd>
              <dt>{t("orderDetail.phone")}</dt>
              <dd>{customer.phone}</dd>
              <dt>{t("orderDetail.address")}</dt>
              <dd>
                {[address.name, address.phone].filter(Boolean).join(" ")}
                <br />
                {[address.province, address.city, address.district, address.line, address.postcode]
                  .filter(Boolean)
                  .join(" ")}
              </dd>
              <dt>{t("orderDetail.clientIp")}</dt>
              <dd data-testid="order-client-ip">{order.client_ip ?? t("orderDetail.notSupplied")}</dd>
              <dt>{t("orderDetail.device")}</dt>
              <dd data-testid="order-device">{order.device || t("orderDetail.notSupplied")}</dd>
            </dl>
          </Section>

          <Section id="tags" title={`${t("orderDetail.tags")} · ${t("orderDetail.notes")}`}>
            <ErrorNote error={untagError} />
            <ul className="tag-list" aria-label={t("orderDetail.tags")} data-testid="order-tag-list">
              {order.tags.length === 0 && <li className="muted">{t("orderDetail.noTags")}</li>}
              {order.tags.map((tag) => (
                <li key={tag} className="tag-chip">
                  {tag}
                  {canWork && (
                    <button
                      type="button"
                      className="link"
                      aria-label={t("orderDetail.removeTag", { tag })}
                      onClick={() => void untag(tag)}
                    >
                      ×
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <ul className="comments" data-testid="order-notes">
              {notes.length === 0 && <li className="muted">{t("orderDetail.noNotes")}</li>}
              {notes.map((note) => (
                <li key={note.id}>
                  <strong>{note.by}</strong> <span className="muted small">{formatTime(note.at, language)}</span>
                  <p>{note.text}</p>
                </li>
              ))}
            </ul>
            {canWork ? (
              <Actions order={order} onDone={changed} />
            ) : (
              <p className="muted small">{t("common.readonly")}</p>
            )}
          </Section>

          <Section id="payments" title={t("orderDetail.payments")}>
            {data.payments.length === 0 ? (
              <Empty>{t("orderDetail.noPayments")}</Empty>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th>{t("orderDetail.gateway")}</th>
                    <th>{t("orderDetail.tradeNo")}</th>
                    <th>{t("orderDetail.status")}</th>
                    <th className="num">{t("orderDetail.amount")}</th>
                    <th className="num">{t("orderDetail.paidAmount")}</th>
                    <th className="num">{t("orderDetail.refunded")}</th>
                    <th>{t("orderDetail.paidAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.payments.map((payment) => (
                    <tr key={payment.id}>
                      <td>{translateOr(t, `orderDetail.gateway.${payment.gateway}`, payment.gateway)}</td>
                      <td>{payment.out_trade_no}</td>
                      <td>{translateOr(t, `orderDetail.payment.${payment.status}`, payment.status)}</td>
                      <td className="num">{money(payment.amount)}</td>
                      <td className="num">{money(payment.paid_amount)}</td>
                      <td className="num">{money(payment.refunded_amount)}</td>
                      <td>{formatTime(payment.paid_at, language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>{t("orderDetail.refundRequests")}</h3>
            {canWork && <FilingLinkButton orderId={id} />}
            {data.refund_requests.length === 0 ? (
              <Empty>{t("orderDetail.noRefundRequests")}</Empty>
            ) : (
              <table className="table" data-testid="order-refund-requests">
                <thead>
                  <tr>
                    <th>{t("orderDetail.refundRequest")}</th>
                    <th>{t("orderDetail.status")}</th>
                    <th className="num">{t("orderDetail.amount")}</th>
                    <th>{t("orderDetail.reason")}</th>
                    <th>{t("orderDetail.refundMethod")}</th>
                    <th>{t("orderDetail.when")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.refund_requests.map((request) => (
                    <tr key={request.id}>
                      <td>
                        <Link to="/refunds">#{request.id}</Link>
                      </td>
                      <td>{translateOr(t, `refunds.status.${request.status}`, request.status)}</td>
                      <td className="num">{money(request.amount)}</td>
                      <td>{translateOr(t, `refunds.reason.${request.reason}`, request.reason)}</td>
                      <td>{translateOr(t, `refunds.method.${request.method}`, request.method)}</td>
                      <td>{formatTime(request.created_at, language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>{t("orderDetail.refunds")}</h3>
            {data.refunds.length === 0 ? (
              <Empty>{t("orderDetail.noRefunds")}</Empty>
            ) : (
              <table className="table" data-testid="order-refunds">
                <thead>
                  <tr>
                    <th>{t("orderDetail.refundNo")}</th>
                    <th>{t("orderDetail.status")}</th>
                    <th className="num">{t("orderDetail.amount")}</th>
                    <th>{t("orderDetail.reason")}</th>
                    <th>{t("orderDetail.when")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.refunds.map((refund) => (
                    <tr key={refund.id}>
                      <td>{refund.out_request_no}</td>
                      <td>{translateOr(t, `orderDetail.refund.${refund.status}`, refund.status)}</td>
                      <td className="num">{money(refund.amount)}</td>
                      <td>{refund.reason || refund.error || "—"}</td>
                      <td>{formatTime(refund.created_at, language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>

          <Section id="parcels" title={t("parcels.title")}>
            <ParcelsPanel orderId={id} canWork={canWork} onChanged={() => (workspace.reload(), timeline.reload())} />
          </Section>

          <Section id="shipments" title={t("orderDetail.shipments")}>
            {data.shipments.length === 0 && <Empty>{t("orderDetail.noShipments")}</Empty>}
            {data.shipments.map((shipment) => (
              <article key={shipment.id} className="parcel">
                <h3>
                  {shipment.carrier || shipment.courier} · {t("orderDetail.trackingNo")} {shipment.tracking_no}{" "}
                  <span className="badge">
                    {translateOr(t, `orderDetail.shipment.${shipment.status}`, shipment.status)}
                  </span>
                </h3>
                {shipment.expected_delivery_at && (
                  <p className="muted small">
                    {t("orderDetail.expected", { time: formatTime(shipment.expected_delivery_at, language) })}
                  </p>
                )}
                {shipment.events.length === 0 ? (
                  <p className="muted small">{t("orderDetail.noTracking")}</p>
                ) : (
                  <ol className="tracking">
                    {[...shipment.events].reverse().map((event, index) => (
                      <li key={`${event.occurred_at}-${index}`}>
                        <span className="muted small">{formatTime(event.occurred_at, language)}</span>{" "}
                        {translateOr(t, `orderDetail.shipment.${event.status}`, event.status)} · {event.description}
                        {event.location && ` · ${event.location}`}
                      </li>
                    ))}
                  </ol>
                )}
              </article>
            ))}
          </Section>

          <Section id="tickets" title={t("orderDetail.tickets")}>
            {data.tickets.length === 0 ? (
              <Empty>{t("orderDetail.noTickets")}</Empty>
            ) : (
              <ul className="rows">
                {data.tickets.map((ticket) => (
                  <li key={ticket.id}>
                    <Link to={`/tickets/${ticket.id}`}>
                      #{ticket.id} {ticket.title}
                    </Link>{" "}
                    <StatusBadge status={ticket.status} />{" "}
                    <span className="muted small">
                      {translateOr(t, `queue.${ticket.queue}`, ticket.queue)} ·{" "}
                      {translateOr(t, `priority.${ticket.priority}`, ticket.priority)}
                    </span>
                    {ticket.overdue && <span className="badge status-failed">{t("tickets.overdue")}</span>}
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section id="flows" title={t("orderDetail.flows")}>
            <ErrorNote error={executions.error} onRetry={executions.reload} />
            {executions.data && executions.data.length === 0 && <Empty>{t("orderDetail.noFlows")}</Empty>}
            {executions.data && executions.data.length > 0 && (
              <table className="table">
                <thead>
                  <tr>
                    <th>{t("orderDetail.flow")}</th>
                    <th>{t("orderDetail.version")}</th>
                    <th>{t("orderDetail.status")}</th>
                    <th>{t("orderDetail.when")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {executions.data.map((execution) => (
                    <tr key={execution.id} data-testid={`order-execution-${execution.id}`}>
                      <td>{execution.flow_name}</td>
                      <td>v{execution.flow_version}</td>
                      <td>
                        <StatusBadge status={execution.status} />
                      </td>
                      <td>{formatTime(execution.started_at ?? execution.created_at, language)}</td>
                      <td>
                        <Link to={`/flows/${execution.flow}?execution=${execution.id}`}>
                          {t("orderDetail.openOnCanvas")}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </div>

        <aside className="order-side">
          <Section id="trace" title={t("orderDetail.trace")}>
            <p className="muted small">{t("orderDetail.traceHint")}</p>
            <ErrorNote error={timeline.error} onRetry={timeline.reload} />
            {timeline.data && <TracePanel entries={entries} />}
          </Section>
        </aside>
      </div>
    </section>
  );
}
