import { useState, type FormEvent } from "react";
import { api, rowsOf, type Page } from "../api/client";
import type { Ticket, TicketDetail as TicketWithComments } from "../api/types";
import { TICKET_WORKERS, useAuth } from "../app/auth";
import { Link, navigate } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, StatusBadge, translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";

const QUEUES = ["warehouse", "supervisor", "service", "finance"];
const STATUSES = ["open", "in_progress", "closed"];

function TicketDetail({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canWork = can(TICKET_WORKERS);
  const ticket = useApi((signal) => api<TicketWithComments>(`tickets/${id}/`, { signal }), [id]);
  const [comment, setComment] = useState("");
  const [resolution, setResolution] = useState("");
  const [error, setError] = useState<Error | null>(null);

  const act = async (path: string, body: unknown) => {
    setError(null);
    try {
      ticket.setData(await api<TicketWithComments>(`tickets/${id}/${path}`, { method: "POST", body }));
      onChanged();
      return true;
    } catch (reason) {
      setError(reason as Error);
      return false;
    }
  };
  const submitComment = async (event: FormEvent) => {
    event.preventDefault();
    if (comment.trim() && (await act("comments/", { body: comment.trim() }))) setComment("");
  };
  const submitClose = async (event: FormEvent) => {
    event.preventDefault();
    await act("close/", { resolution });
  };

  const data = ticket.data;
  if (!data) return <ErrorNote error={ticket.error} onRetry={ticket.reload} />;
  const closed = data.status === "closed";
  return (
    <article className="detail" aria-labelledby="ticket-title">
      <h2 id="ticket-title">
        #{data.id} {data.title}
      </h2>
      <dl className="facts">
        <dt>{t("tickets.status")}</dt>
        <dd>
          <StatusBadge status={data.status} />{" "}
          {data.overdue && <span className="badge status-failed">{t("tickets.overdue")}</span>}
        </dd>
        <dt>{t("tickets.queue")}</dt>
        <dd>{translateOr(t, `queue.${data.queue}`, data.queue)}</dd>
        <dt>{t("tickets.priority")}</dt>
        <dd>{translateOr(t, `priority.${data.priority}`, data.priority)}</dd>
        <dt>{t("tickets.assignee")}</dt>
        <dd>{data.assignee?.username ?? t("tickets.unassigned")}</dd>
        <dt>{t("tickets.due")}</dt>
        <dd>{formatTime(data.due_at, language)}</dd>
        <dt>{t("tickets.order")}</dt>
        <dd>
          {data.order !== null && data.order !== undefined ? (
            <Link to={`/orders/${data.order}`} data-testid="ticket-order-link">
              {data.order_number ?? `#${data.order}`}
            </Link>
          ) : (
            "—"
          )}
        </dd>
        {data.resolution && (
          <>
            <dt>{t("tickets.resolution")}</dt>
            <dd>{data.resolution}</dd>
          </>
        )}
      </dl>
      <ErrorNote error={error} />
      {canWork && !closed && (
        <div className="toolbar">
          <button type="button" onClick={() => void act("assign-to-me/", {})}>
            {t("tickets.assignToMe")}
          </button>
        </div>
      )}
      <h3>{t("tickets.comments")}</h3>
      <ul className="comments">
        {(data.comments ?? []).map((c) => (
          <li key={c.id}>
            <strong>{c.author?.username ?? c.actor_label}</strong>{" "}
            <span className="muted small">{formatTime(c.created_at, language)}</span>
            <p>{c.body}</p>
          </li>
        ))}
      </ul>
      {canWork && (
        <form onSubmit={submitComment} className="stack">
          <label>
            {t("tickets.addComment")}
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
          </label>
          <button type="submit" disabled={!comment.trim()}>
            {t("tickets.comment")}
          </button>
        </form>
      )}
      {canWork && !closed && (
        <form onSubmit={submitClose} className="stack">
          <label>
            {t("tickets.resolution")}
            <input value={resolution} onChange={(e) => setResolution(e.target.value)} />
          </label>
          <button type="submit" className="danger-button">
            {t("tickets.closeTicket")}
          </button>
        </form>
      )}
    </article>
  );
}

export function TicketsPage({ selectedId }: { selectedId: number | null }) {
  const { t, language } = useI18n();
  const [queue, setQueue] = useState("");
  const [status, setStatus] = useState("open,in_progress");
  const [mine, setMine] = useState(false);
  const tickets = useApi(
    (signal) =>
      api<Page<Ticket>>("tickets/", { query: { queue, status, mine: mine || undefined, page_size: 100 }, signal }).then(
        rowsOf,
      ),
    [queue, status, mine],
  );
  return (
    <section className="page split">
      <div className="list-pane">
        <div className="page-head">
          <h1>{t("tickets.title")}</h1>
          <div className="toolbar">
            <select value={queue} onChange={(e) => setQueue(e.target.value)} aria-label={t("tickets.queue")}>
              <option value="">
                {t("tickets.queue")}: {t("common.all")}
              </option>
              {QUEUES.map((q) => (
                <option key={q} value={q}>
                  {translateOr(t, `queue.${q}`, q)}
                </option>
              ))}
            </select>
            <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label={t("tickets.status")}>
              <option value="open,in_progress">
                {t("status.open")} + {t("status.in_progress")}
              </option>
              <option value="">
                {t("tickets.status")}: {t("common.all")}
              </option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}` as "status.open")}
                </option>
              ))}
            </select>
            <label className="check">
              <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t("tickets.mine")}
            </label>
          </div>
        </div>
        <ErrorNote error={tickets.error} onRetry={tickets.reload} />
        {tickets.data && tickets.data.length === 0 && <Empty />}
        <ul className="rows" aria-label={t("tickets.title")}>
          {(tickets.data ?? []).map((ticket) => (
            <li key={ticket.id}>
              <button
                type="button"
                className={`row-button ${ticket.id === selectedId ? "selected" : ""}`}
                aria-current={ticket.id === selectedId ? "true" : undefined}
                onClick={() => navigate(`/tickets/${ticket.id}`)}
              >
                <span className="row-title">
                  #{ticket.id} {ticket.title}
                </span>
                <span className="row-meta">
                  <StatusBadge status={ticket.status} /> {translateOr(t, `queue.${ticket.queue}`, ticket.queue)} ·{" "}
                  {translateOr(t, `priority.${ticket.priority}`, ticket.priority)} ·{" "}
                  {ticket.assignee?.username ?? t("tickets.unassigned")} · {formatTime(ticket.created_at, language)}
                  {ticket.order_number && ` · ${t("tickets.order")} ${ticket.order_number}`}
                  {ticket.overdue && <span className="badge status-failed">{t("tickets.overdue")}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="detail-pane">
        {selectedId ? (
          <TicketDetail key={selectedId} id={selectedId} onChanged={tickets.reload} />
        ) : (
          <Empty>{t("tickets.select")}</Empty>
        )}
      </div>
    </section>
  );
}
