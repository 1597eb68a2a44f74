import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { api } from "../api/client";
import { useI18n, type Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { useAuth } from "./auth";
import { isLiveConnected, LIVE_STATUS_EVENT, useLiveConnection, useLiveEvent, type LiveStatus } from "./live";
import { Link, useLocation } from "./router";

export const INBOX_CHANGED = "orderflow:inbox-changed";
/** The live message that says the user's inbox changed (contracts.md). */
const INBOX_LIVE_CHANGED = "inbox.changed";

/** The unread count for the badge: refreshed on the live socket's `inbox.changed`, when the inbox
 * page changes it, and when the socket (re)connects; polled every 30 s only while the socket is down. */
function useUnreadCount(): number {
  const [count, setCount] = useState(0);
  const [live, setLive] = useState(isLiveConnected);
  const refresh = useCallback(() => {
    api<{ unread: number }>("inbox/unread-count/")
      .then((answer) => setCount(answer.unread))
      .catch(() => undefined);
  }, []);
  useLiveEvent([INBOX_LIVE_CHANGED], refresh);
  useEffect(() => {
    // (a change of state runs the effect below again: it refreshes — what changed while the socket was down)
    const onStatus = (event: Event) => setLive((event as CustomEvent<LiveStatus>).detail.connected);
    window.addEventListener(LIVE_STATUS_EVENT, onStatus);
    window.addEventListener(INBOX_CHANGED, refresh);
    return () => {
      window.removeEventListener(LIVE_STATUS_EVENT, onStatus);
      window.removeEventListener(INBOX_CHANGED, refresh);
    };
  }, [refresh]);
  useEffect(() => {
    refresh();
    if (live) return;
    const timer = window.setInterval(refresh, 30_000);
    return () => window.clearInterval(timer);
  }, [refresh, live]);
  return count;
}

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language-switch">
      <span>{t("user.language")}</span>
      <select
        value={language}
        onChange={(e) => setLanguage(e.target.value as Language)}
        aria-label={t("user.language")}
      >
        <option value="zh">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function UserMenu() {
  const { t } = useI18n();
  const { me, logout } = useAuth();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !ref.current?.contains(event.target as Node))
        setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);
  if (!me) return null;
  return (
    <div className="user-menu" ref={ref}>
      <button
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        aria-label={t("user.menu")}
      >
        <span className="avatar" aria-hidden="true">
          {me.username.slice(0, 1).toUpperCase()}
        </span>
        {me.username}
      </button>
      {open && (
        <div className="menu" role="menu">
          <p className="muted">
            {t("user.roles")}: {me.roles.map((role) => t(`role.${role}` as MessageKey)).join("、") || "—"}
          </p>
          <LanguageSwitch />
          <button type="button" role="menuitem" onClick={() => void logout()}>
            {t("user.logout")}
          </button>
        </div>
      )}
    </div>
  );
}

const NAV: { to: string; key: MessageKey; prefix: string }[] = [
  { to: "/orders", key: "nav.orders", prefix: "/orders" },
  { to: "/refunds", key: "nav.refunds", prefix: "/refunds" },
  { to: "/reconciliation", key: "nav.reconciliation", prefix: "/reconciliation" },
  { to: "/risk", key: "nav.risk", prefix: "/risk" },
  { to: "/stock", key: "nav.stock", prefix: "/stock" },
  { to: "/dashboards", key: "nav.dashboards", prefix: "/dashboards" },
  { to: "/flows", key: "nav.flows", prefix: "/flows" },
  { to: "/templates", key: "nav.templates", prefix: "/templates" },
  { to: "/executions", key: "nav.executions", prefix: "/executions" },
  { to: "/tickets", key: "nav.tickets", prefix: "/tickets" },
  { to: "/inbox", key: "nav.inbox", prefix: "/inbox" },
  { to: "/connections", key: "nav.connections", prefix: "/connections" },
  { to: "/order-imports", key: "nav.imports", prefix: "/order-imports" },
  { to: "/monitor", key: "nav.monitor", prefix: "/monitor" },
];

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { path } = useLocation();
  useLiveConnection(); // the Shell is shown only while someone is logged in
  const unread = useUnreadCount();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/flows" className="brand">
          {t("app.name")}
        </Link>
        <nav aria-label={t("nav.main")}>
          <ul>
            {NAV.map((item) => {
              const active =
                path === item.prefix ||
                path.startsWith(`${item.prefix}/`) ||
                (item.prefix === "/flows" && path === "/");
              return (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    aria-current={active ? "page" : undefined}
                    className={active ? "active" : undefined}
                  >
                    {t(item.key)}
                    {item.to === "/inbox" && unread > 0 && (
                      <span
                        className="count-badge"
                        data-testid="unread-badge"
                        aria-label={t("inbox.unreadCount", { n: unread })}
                      >
                        {unread}
                      </span>
                    )}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <UserMenu />
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
