import { useState } from "react";
import { api, rowsOf, type Page } from "../api/client";
import type { Notification } from "../api/types";
import { INBOX_CHANGED } from "../app/Shell";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";

export function InboxPage() {
  const { t, language } = useI18n();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const inbox = useApi(
    (signal) =>
      api<Page<Notification>>("inbox/", { query: { unread: onlyUnread || undefined, page_size: 100 }, signal }).then(
        rowsOf,
      ),
    [onlyUnread],
  );
  const changed = () => window.dispatchEvent(new Event(INBOX_CHANGED));

  const markRead = async (notification: Notification) => {
    try {
      const updated = await api<Notification>(`inbox/${notification.id}/read/`, { method: "POST", body: {} });
      inbox.setData((inbox.data ?? []).map((n) => (n.id === notification.id ? { ...n, ...updated, read: true } : n)));
      changed();
    } catch (reason) {
      setError(reason as Error);
    }
  };
  const markAll = async () => {
    try {
      await api("inbox/read-all/", { method: "POST", body: {} });
      inbox.reload();
      changed();
    } catch (reason) {
      setError(reason as Error);
    }
  };
  const unread = (inbox.data ?? []).filter((n) => !n.read).length;

  return (
    <section className="page">
      <div className="page-head">
        <h1>
          {t("inbox.title")} {unread > 0 && <span className="count-badge">{unread}</span>}
        </h1>
        <div className="toolbar">
          <label className="check">
            <input type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.target.checked)} />{" "}
            {t("inbox.onlyUnread")}
          </label>
          <button type="button" onClick={() => void markAll()} disabled={unread === 0}>
            {t("inbox.markAllRead")}
          </button>
        </div>
      </div>
      <ErrorNote error={error ?? inbox.error} onRetry={inbox.reload} />
      {inbox.data && inbox.data.length === 0 && <Empty />}
      <ul className="rows">
        {(inbox.data ?? []).map((n) => (
          <li key={n.id} className={n.read ? "notification read" : "notification unread"}>
            <div>
              <strong>{n.title}</strong>
              {!n.read && <span className="badge status-running">{t("inbox.unread")}</span>}
              <p>{n.body}</p>
              <span className="muted small">
                {formatTime(n.created_at, language)} · {n.created_by.label}
                {n.order_number && ` · ${n.order_number}`}
              </span>
            </div>
            {!n.read && (
              <button type="button" onClick={() => void markRead(n)}>
                {t("inbox.markRead")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
