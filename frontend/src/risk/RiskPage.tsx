/**
 * Risk and order audit (风控审单): orders a risk rule held, with each rule and its evidence, to
 * approve (released: the order continues its flows), reject (cancelled, stock released) or
 * blacklist; the rules — created, edited and switched off by admins in the flows' condition builder —
 * with their false-positive rates; the
 * blacklist; and the smart audit's queue (paid orders kept from the warehouse) with its rule set.
 */
import { useState } from "react";
import { ApiError } from "../api/client";
import type { JsonValue } from "../api/types";
import { useAuth } from "../app/auth";
import { useLiveEvent } from "../app/live";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote } from "../components/common";
import { ConditionBuilder } from "../editor/ConditionBuilder";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  BLACKLIST_KINDS,
  riskApi,
  type BlacklistKind,
  type RiskReview,
  type RiskRule,
  type ScreeningCase,
  type ScreeningCheck,
} from "./api";
import {
  AUDIT_FIELDS,
  emptyRule,
  evidenceText,
  percent,
  refusal,
  RISK_FIELDS,
  ruleKeyFrom,
  ruleProblems,
  sampleOf,
  serverProblems,
  variablesOf,
  type RuleDraft,
  type RulePart,
} from "./logic";
import "./risk.css";

/** Who reviews risk holds and works the audit queue (core.accounts.roles.ORDER_WORKERS). */
export const REVIEWERS = ["operator", "supervisor", "admin"];
const ADMINS = ["admin"];

type Tab = "reviews" | "rules" | "blacklist" | "audit";

function KindChoice({ chosen, onChange }: { chosen: BlacklistKind[]; onChange: (kinds: BlacklistKind[]) => void }) {
  const { t } = useI18n();
  return (
    <span className="risk-kinds">
      {BLACKLIST_KINDS.map((kind) => (
        <label key={kind} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(kind)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, kind] : chosen.filter((k) => k !== kind))}
          />{" "}
          {t(`risk.kind.${kind}` as MessageKey)}
        </label>
      ))}
    </span>
  );
}

function ReviewCard({
  review,
  canAct,
  onDone,
}: {
  review: RiskReview;
  canAct: boolean;
  onDone: (text: string) => void;
}) {
  const { t, language } = useI18n();
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [kinds, setKinds] = useState<BlacklistKind[]>([]);
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setFailure("");
    try {
      onDone(await work());
    } catch (error) {
      if (error instanceof ApiError && error.code === "risk_not_pending") onDone(t("risk.decidedAlready"));
      else setFailure(refusal(error));
    } finally {
      setBusy(false);
    }
  };
  const pending = review.hits.some((hit) => hit.state === "pending");
  return (
    <article className="card risk-card" data-testid={`risk-review-${review.order_id}`}>
      <header className="risk-card-head">
        <Link to={`/orders/${review.order_id}`}>{review.number}</Link>
        <span className="muted">{review.channel_name}</span>
        <strong>¥{review.total_amount}</strong>
        <span className="muted">{formatTime(review.created_at, language)}</span>
      </header>
      <dl className="risk-facts">
        <dt>{t("risk.customer")}</dt>
        <dd>
          {review.customer_name} {review.phone}
        </dd>
        <dt>{t("risk.address")}</dt>
        <dd>{review.address}</dd>
        <dt>{t("risk.ip")}</dt>
        <dd>{review.client_ip ?? t("common.none")}</dd>
        <dt>{t("risk.device")}</dt>
        <dd>{review.device || t("common.none")}</dd>
      </dl>
      <h3>{t("risk.hits")}</h3>
      <ul className="risk-hits">
        {review.hits.map((hit) => (
          <li key={hit.id}>
            <strong>{language === "zh" ? hit.rule_name.zh : hit.rule_name.en}</strong>{" "}
            <span className={`badge risk-${hit.state}`}>{t(`risk.state.${hit.state}` as MessageKey)}</span>
            <div className="muted">
              {t("risk.evidence")}: {evidenceText(hit.evidence as Record<string, unknown>, language).join("；")}
            </div>
          </li>
        ))}
      </ul>
      {canAct && pending && (
        <div className="risk-actions">
          <label className="field">
            <span>{t("risk.note")}</span>
            <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await riskApi.approve(review.order_id, note);
                return t("risk.done.approved", { number: review.number });
              })
            }
          >
            {t("risk.approve")}
          </button>
          <label className="field">
            <span>{t("risk.reason")}</span>
            <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          </label>
          <span className="risk-also">
            {t("risk.alsoBlacklist")} <KindChoice chosen={kinds} onChange={setKinds} />
          </span>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (!reason.trim()) return setFailure(t("risk.reasonNeeded"));
              void run(async () => {
                await riskApi.reject(review.order_id, reason, kinds);
                return t("risk.done.rejected", { number: review.number });
              });
            }}
          >
            {t("risk.reject")}
          </button>
          <button
            type="button"
            disabled={busy || kinds.length === 0}
            onClick={() =>
              run(async () => {
                const entries = await riskApi.blacklistOrder(review.order_id, kinds, note);
                return t("risk.done.blacklisted", { n: entries.length });
              })
            }
          >
            {t("risk.blacklistOrder")}
          </button>
        </div>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </article>
  );
}

/** A queue's state buttons (one pressed at a time) and the answer of the last decision taken in it. */
function QueueHeader({
  states,
  shown,
  onShow,
  answer,
}: {
  states: string[];
  shown: string;
  onShow: (state: string) => void;
  answer: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <div className="toolbar">
        {states.map((name) => (
          <button
            key={name}
            type="button"
            className={shown === name ? "active" : undefined}
            onClick={() => onShow(name)}
          >
            {t(`risk.state.${name}` as MessageKey)}
          </button>
        ))}
      </div>
      {answer && (
        <p className="ok-note" role="status">
          {answer}
        </p>
      )}
    </>
  );
}

function ReviewsTab({ canAct }: { canAct: boolean }) {
  const { t } = useI18n();
  const [state, setState] = useState("pending");
  const [answer, setAnswer] = useState("");
  const loaded = useApi(() => riskApi.reviews(state), [state]);
  // A new hold, or a decision taken elsewhere, shows without a reload.
  useLiveEvent(["risk.flagged", "risk.cleared"], loaded.reload);
  return (
    <section className="stack" aria-label={t("risk.tab.reviews")}>
      <QueueHeader states={["pending", "approved", "rejected"]} shown={state} onShow={setState} answer={answer} />
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data && loaded.data.length === 0 && <Empty>{t("risk.empty.reviews")}</Empty>}
      {loaded.data?.map((review) => (
        <ReviewCard
          key={review.order_id}
          review={review}
          canAct={canAct}
          onDone={(text) => {
            setAnswer(text);
            loaded.reload();
          }}
        />
      ))}
    </section>
  );
}

const PART_LABELS: Record<RulePart, MessageKey> = {
  key: "risk.rule.key",
  name_zh: "risk.rule.nameZh",
  name_en: "risk.rule.nameEn",
  condition: "risk.rule.condition",
};

/** A rule's names, key (new rules only), switch and condition in the flows' builder; the action is the hold. */
export function RuleForm({
  rule,
  onSaved,
  onCancel,
}: {
  rule: RiskRule | null;
  onSaved: (rule: RiskRule, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t, language } = useI18n();
  const isNew = rule === null;
  const [draft, setDraft] = useState<RuleDraft>(() =>
    rule === null
      ? emptyRule()
      : {
          key: rule.key,
          name_zh: rule.name_zh,
          name_en: rule.name_en,
          condition: rule.condition as JsonValue,
          enabled: rule.enabled,
        },
  );
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [shown, setShown] = useState<Partial<Record<RulePart, string>>>({});
  const [general, setGeneral] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...changes }));
  const save = async () => {
    const problems = ruleProblems(draft, isNew);
    setGeneral("");
    setShown(Object.fromEntries(Object.entries(problems).map(([part, key]) => [part, t(key as MessageKey)])));
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      const saved = isNew
        ? await riskApi.createRule(draft)
        : await riskApi.saveRule(rule.id, {
            name_zh: draft.name_zh,
            name_en: draft.name_en,
            condition: draft.condition,
            enabled: draft.enabled,
          });
      onSaved(saved, isNew);
    } catch (error) {
      const refused = serverProblems(error);
      setShown(refused.parts);
      setGeneral(refused.general);
    } finally {
      setBusy(false);
    }
  };
  const problem = (part: RulePart) =>
    shown[part] ? (
      <span className="field-error" role="alert" data-testid={`rule-problem-${part}`}>
        {t("risk.rule.refused", { reason: `${t(PART_LABELS[part])} — ${shown[part]}` })}
      </span>
    ) : null;
  return (
    <form
      className="card stack risk-rule-form"
      data-testid={isNew ? "risk-rule-new-form" : `risk-rule-form-${rule.key}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="toolbar">
        <label className="field">
          <span>{t("risk.rule.nameZh")}</span>
          <input
            value={draft.name_zh}
            maxLength={100}
            aria-invalid={Boolean(shown.name_zh)}
            onChange={(e) => set({ name_zh: e.target.value })}
          />
          {problem("name_zh")}
        </label>
        <label className="field">
          <span>{t("risk.rule.nameEn")}</span>
          <input
            value={draft.name_en}
            maxLength={100}
            aria-invalid={Boolean(shown.name_en)}
            onChange={(e) =>
              set({ name_en: e.target.value, ...(keyTouched ? {} : { key: ruleKeyFrom(e.target.value) }) })
            }
          />
          {problem("name_en")}
        </label>
        <label className="field">
          <span>{t("risk.rule.key")}</span>
          <input
            value={draft.key}
            maxLength={48}
            disabled={!isNew}
            aria-invalid={Boolean(shown.key)}
            title={t("risk.rule.keyHelp")}
            onChange={(e) => {
              setKeyTouched(true);
              set({ key: e.target.value });
            }}
          />
          {problem("key")}
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />{" "}
          {t("risk.rule.enabled")}
        </label>
      </div>
      <p className="small muted">{t("risk.rule.keyHelp")}</p>
      <p>
        <strong>{t("risk.rule.action")}</strong>:{" "}
        <span data-testid="risk-rule-action">{t("risk.rule.actionHold")}</span>
      </p>
      <div className="stack" aria-label={t("risk.rule.condition")}>
        <strong>{t("risk.rule.condition")}</strong>
        <ConditionBuilder
          rule={draft.condition}
          onChange={(condition) => set({ condition })}
          variables={variablesOf(RISK_FIELDS, language)}
          sample={sampleOf(RISK_FIELDS)}
          readOnly={false}
        />
        {problem("condition")}
      </div>
      {general && (
        <p className="field-error" role="alert">
          {t("risk.rule.refused", { reason: general })}
        </p>
      )}
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("risk.rule.cancel")}
        </button>
      </div>
    </form>
  );
}

function RuleRow({
  rule,
  canEdit,
  onSaved,
}: {
  rule: RiskRule;
  canEdit: boolean;
  onSaved: (rule: RiskRule, created: boolean) => void;
}) {
  const { t, language } = useI18n();
  const [editing, setEditing] = useState(false);
  const [failure, setFailure] = useState("");
  const toggle = async (enabled: boolean) => {
    setFailure("");
    try {
      onSaved(await riskApi.saveRule(rule.id, { enabled }), false);
    } catch (error) {
      setFailure(refusal(error));
    }
  };
  return (
    <article className="card risk-rule" data-testid={`risk-rule-${rule.key}`}>
      <header className="risk-card-head">
        <strong>{language === "zh" ? rule.name_zh : rule.name_en}</strong>
        <code className="muted">{rule.key}</code>
        <label className="check">
          <input
            type="checkbox"
            checked={rule.enabled}
            disabled={!canEdit}
            onChange={(e) => void toggle(e.target.checked)}
          />{" "}
          {t("risk.rule.enabled")}
        </label>
        <span className="muted">{t("risk.rule.hits", { n: rule.hits_total, pending: rule.hits_pending })}</span>
        <span>
          {rule.false_positive_rate === null
            ? t("risk.rule.fpNone")
            : t("risk.rule.fpRate", { rate: percent(rule.false_positive_rate) })}
        </span>
        {canEdit && (
          <button type="button" onClick={() => setEditing(!editing)}>
            {t("risk.rule.edit")}
          </button>
        )}
      </header>
      {editing && canEdit && (
        <RuleForm
          rule={rule}
          onSaved={(saved, created) => {
            setEditing(false);
            onSaved(saved, created);
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      {!editing && (
        <ConditionBuilder
          rule={rule.condition as JsonValue}
          onChange={() => undefined}
          variables={variablesOf(RISK_FIELDS, language)}
          sample={sampleOf(RISK_FIELDS)}
          readOnly
        />
      )}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </article>
  );
}

function RulesTab({ canEdit }: { canEdit: boolean }) {
  const { t, language } = useI18n();
  const loaded = useApi((signal) => riskApi.rules(signal), []);
  const [adding, setAdding] = useState(false);
  const [answer, setAnswer] = useState("");
  const saved = (rule: RiskRule, created: boolean) => {
    const rules = loaded.data ?? [];
    loaded.setData(created ? [...rules, rule] : rules.map((r) => (r.id === rule.id ? rule : r)));
    const name = language === "zh" ? rule.name_zh : rule.name_en;
    setAnswer(t(created ? "risk.rule.created" : "risk.rule.updated", { name }));
  };
  return (
    <section className="stack" aria-label={t("risk.tab.rules")}>
      {!canEdit && <p className="warn-note">{t("common.readonly")}</p>}
      {canEdit && !adding && (
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            {t("risk.rule.new")}
          </button>
        </div>
      )}
      {answer && (
        <p className="ok-note" role="status" data-testid="risk-rules-answer">
          {answer}
        </p>
      )}
      {adding && (
        <RuleForm
          rule={null}
          onSaved={(rule, created) => {
            setAdding(false);
            saved(rule, created);
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data?.map((rule) => (
        <RuleRow key={rule.id} rule={rule} canEdit={canEdit} onSaved={saved} />
      ))}
    </section>
  );
}

function BlacklistTab({ canAdd, canRemove }: { canAdd: boolean; canRemove: boolean }) {
  const { t, language } = useI18n();
  const loaded = useApi(() => riskApi.blacklist(), []);
  const [kind, setKind] = useState<BlacklistKind>("phone");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [failure, setFailure] = useState("");
  const add = async () => {
    setFailure("");
    try {
      await riskApi.addBlacklist(kind, value, reason);
      setValue("");
      setReason("");
      loaded.reload();
    } catch (error) {
      setFailure(refusal(error));
    }
  };
  return (
    <section className="stack" aria-label={t("risk.tab.blacklist")}>
      {canAdd && (
        <div className="toolbar">
          <label className="field">
            <span>{t("risk.blacklist.kind")}</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as BlacklistKind)}>
              {BLACKLIST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`risk.kind.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t("risk.blacklist.value")}</span>
            <input value={value} maxLength={300} onChange={(e) => setValue(e.target.value)} />
          </label>
          <label className="field">
            <span>{t("risk.blacklist.reason")}</span>
            <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="button" className="primary" disabled={!value.trim()} onClick={() => void add()}>
            {t("risk.blacklist.add")}
          </button>
        </div>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data && loaded.data.length === 0 && <Empty />}
      {loaded.data && loaded.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>{t("risk.blacklist.kind")}</th>
              <th>{t("risk.blacklist.value")}</th>
              <th>{t("risk.blacklist.reason")}</th>
              <th>{t("risk.blacklist.by")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {loaded.data.map((entry) => (
              <tr key={entry.id}>
                <td>{t(`risk.kind.${entry.kind}` as MessageKey)}</td>
                <td>{entry.value}</td>
                <td>{entry.reason}</td>
                <td>
                  {entry.created_by ?? t("common.none")} · {formatTime(entry.created_at, language)}
                </td>
                <td>
                  {canRemove && (
                    <button
                      type="button"
                      onClick={() =>
                        void riskApi.removeBlacklist(entry.id).then(loaded.reload, (e) => setFailure(refusal(e)))
                      }
                    >
                      {t("common.delete")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CaseCard({ item, canAct, onDone }: { item: ScreeningCase; canAct: boolean; onDone: (text: string) => void }) {
  const { t, language } = useI18n();
  const [reason, setReason] = useState("");
  const [failure, setFailure] = useState("");
  const act = async (work: () => Promise<string>) => {
    setFailure("");
    try {
      onDone(await work());
    } catch (error) {
      setFailure(refusal(error));
    }
  };
  const reasons = item.reasons as { key: string; name_zh: string; name_en: string }[];
  return (
    <article className="card risk-card" data-testid={`audit-case-${item.order_id}`}>
      <header className="risk-card-head">
        <Link to={`/orders/${item.order_id}`}>{item.number}</Link>
        <span className="muted">{item.channel_name}</span>
        <strong>¥{item.total_amount}</strong>
        <span className="muted">{t("risk.audit.version", { version: item.ruleset_version })}</span>
      </header>
      <p>
        {t("risk.audit.reasons")}: {reasons.map((r) => (language === "zh" ? r.name_zh : r.name_en)).join("；")}
      </p>
      {canAct && item.state === "waiting" && (
        <div className="risk-actions">
          <button
            type="button"
            className="primary"
            onClick={() =>
              void act(async () => {
                await riskApi.pass(item.order_id, "");
                return t("risk.audit.done.passed", { number: item.number });
              })
            }
          >
            {t("risk.audit.pass")}
          </button>
          <label className="field">
            <span>{t("risk.reason")}</span>
            <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (!reason.trim()) return setFailure(t("risk.reasonNeeded"));
              void act(async () => {
                await riskApi.rejectCase(item.order_id, reason);
                return t("risk.audit.done.rejected", { number: item.number });
              });
            }}
          >
            {t("risk.audit.reject")}
          </button>
        </div>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </article>
  );
}

function RuleSetEditor({ canEdit }: { canEdit: boolean }) {
  const { t, language } = useI18n();
  const loaded = useApi((signal) => riskApi.ruleSet(signal), []);
  const [checks, setChecks] = useState<ScreeningCheck[] | null>(null);
  const [note, setNote] = useState("");
  const [answer, setAnswer] = useState("");
  const [failure, setFailure] = useState("");
  if (!loaded.data) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  const shown = checks ?? (loaded.data.document as { checks?: ScreeningCheck[] }).checks ?? [];
  const save = async () => {
    setFailure("");
    try {
      const saved = await riskApi.saveRuleSet(shown, note);
      loaded.setData(saved);
      setChecks(null);
      setAnswer(t("risk.audit.saved", { version: saved.version }));
    } catch (error) {
      setFailure(refusal(error));
    }
  };
  return (
    <section className="stack">
      <h2>{t("risk.audit.version", { version: loaded.data.version })}</h2>
      {shown.map((check, index) => (
        <div className="card" key={check.key}>
          <strong>{language === "zh" ? check.name_zh : check.name_en}</strong>
          <ConditionBuilder
            rule={check.condition}
            onChange={(condition) => setChecks(shown.map((c, i) => (i === index ? { ...c, condition } : c)))}
            variables={variablesOf(AUDIT_FIELDS, language)}
            sample={sampleOf(AUDIT_FIELDS)}
            readOnly={!canEdit}
          />
        </div>
      ))}
      {canEdit && (
        <div className="toolbar">
          <label className="field">
            <span>{t("risk.audit.versionNote")}</span>
            <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="button" className="primary" onClick={() => void save()}>
            {t("risk.audit.saveVersion")}
          </button>
        </div>
      )}
      {answer && <p className="ok-note">{answer}</p>}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}

function AuditTab({ canAct, canEdit }: { canAct: boolean; canEdit: boolean }) {
  const { t } = useI18n();
  const [state, setState] = useState("waiting");
  const [answer, setAnswer] = useState("");
  const loaded = useApi(() => riskApi.cases(state), [state]);
  return (
    <section className="stack" aria-label={t("risk.tab.audit")}>
      <QueueHeader states={["waiting", "passed", "rejected"]} shown={state} onShow={setState} answer={answer} />
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data && loaded.data.length === 0 && <Empty>{t("risk.empty.audit")}</Empty>}
      {loaded.data?.map((item) => (
        <CaseCard
          key={item.order_id}
          item={item}
          canAct={canAct}
          onDone={(text) => {
            setAnswer(text);
            loaded.reload();
          }}
        />
      ))}
      <RuleSetEditor canEdit={canEdit} />
    </section>
  );
}

export function RiskPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const [tab, setTab] = useState<Tab>("reviews");
  return (
    <div className="page risk-page">
      <div className="page-head">
        <div>
          <h1>{t("risk.title")}</h1>
          <p className="muted">{t("risk.intro")}</p>
        </div>
        <div className="toolbar" role="tablist">
          {(["reviews", "rules", "blacklist", "audit"] as Tab[]).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              className={tab === name ? "active" : undefined}
              onClick={() => setTab(name)}
            >
              {t(`risk.tab.${name}` as MessageKey)}
            </button>
          ))}
        </div>
      </div>
      {tab === "reviews" && <ReviewsTab canAct={can(REVIEWERS)} />}
      {tab === "rules" && <RulesTab canEdit={can(ADMINS)} />}
      {tab === "blacklist" && <BlacklistTab canAdd={can(REVIEWERS)} canRemove={can(ADMINS)} />}
      {tab === "audit" && <AuditTab canAct={can(REVIEWERS)} canEdit={can(ADMINS)} />}
    </div>
  );
}
