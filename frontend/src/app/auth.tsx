import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, setUnauthorizedHandler } from "../api/client";
import type { Me } from "../api/types";

/** The roles that may edit flows (core.accounts.roles.FLOW_EDITORS). */
export const FLOW_EDITORS = ["operator", "supervisor", "admin"];
/** The roles that may work tickets (commerce.tickets.api.views.TICKET_WORKERS). */
export const TICKET_WORKERS = ["operator", "supervisor", "finance", "admin"];
/** The roles that may add, change, test and delete connections and replay deliveries (connectors/api: ADMINS). */
export const CONNECTION_ADMINS = ["admin"];

/** Whether the user holds one of `roles` (what `useAuth().can` answers). */
export function hasRole(me: Pick<Me, "roles"> | null, roles: readonly string[]): boolean {
  return !!me && me.roles.some((role) => roles.includes(role));
}

interface SessionAnswer {
  authenticated: boolean;
  username?: string;
  roles?: string[];
}

interface Auth {
  me: Me | null;
  ready: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  can: (roles: readonly string[]) => boolean;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    // GET sets the CSRF cookie and tells whether the session is still logged in.
    api<SessionAnswer>("auth/session/")
      .then(async (session) => {
        if (session.authenticated) setMe(await api<Me>("auth/me/"));
      })
      .catch(() => setMe(null))
      .finally(() => setReady(true));
    setUnauthorizedHandler(() => setMe(null));
    return () => setUnauthorizedHandler(null);
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    await api<SessionAnswer>("auth/session/", { method: "POST", body: { username, password } });
    setMe(await api<Me>("auth/me/"));
  }, []);

  const logout = useCallback(async () => {
    try {
      await api("auth/session/", { method: "DELETE" });
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo<Auth>(
    () => ({
      me,
      ready,
      login,
      logout,
      can: (roles) => hasRole(me, roles),
    }),
    [me, ready, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
