/** The flow list's first screen: start from a template, a named new flow, or a short guided first flow. */
import { useState } from "react";
import type { FlowDocument } from "../api/types";
import { Link } from "../app/router";
import { useI18n } from "../i18n/i18n";

const GUIDE_KEY = "orderflow.guide.";

/** The guided first flow: when an order is paid, add a note to it. */
export function guidedFlow(name: string): FlowDocument {
  return {
    format: "orderflow.flow/v1",
    name,
    trigger: { type: "event", event: "order.paid" },
    nodes: [],
    edges: [],
  };
}

/** Marks a flow as made with the guide, so its editor shows the steps (once per browser session). */
export function markGuided(flowId: number): void {
  try {
    sessionStorage.setItem(`${GUIDE_KEY}${flowId}`, "1");
  } catch {
    /* private mode: no guide */
  }
}

export function isGuided(flowId: number): boolean {
  try {
    return sessionStorage.getItem(`${GUIDE_KEY}${flowId}`) === "1";
  } catch {
    return false;
  }
}

export function NewFlowForm({ onCreate, onCancel }: { onCreate: (name: string) => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  return (
    <form
      className="new-flow row"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate(name.trim());
      }}
    >
      <input
        autoFocus
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder={t("flows.namePlaceholder")}
        aria-label={t("flows.col.name")}
        maxLength={200}
        data-testid="new-flow-name"
      />
      <button type="submit" className="primary" data-testid="new-flow-create">
        {t("flows.create")}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      )}
    </form>
  );
}

export function FirstScreen({ onCreate, onGuided }: { onCreate: (name: string) => void; onGuided: () => void }) {
  const { t } = useI18n();
  return (
    <div className="first-screen" data-testid="flows-first-screen">
      <h2>{t("flows.emptyTitle")}</h2>
      <p className="muted">{t("flows.emptyLead")}</p>
      <div className="first-screen-options">
        <section>
          <h3>{t("flows.fromTemplate")}</h3>
          <Link to="/templates" className="button primary" data-testid="from-template">
            {t("flows.fromTemplate")}
          </Link>
        </section>
        <section>
          <h3>{t("flows.newNamed")}</h3>
          <NewFlowForm onCreate={onCreate} />
        </section>
        <section>
          <h3>{t("flows.guided")}</h3>
          <button type="button" onClick={onGuided} data-testid="guided-flow">
            {t("flows.guided")}
          </button>
        </section>
      </div>
    </div>
  );
}
