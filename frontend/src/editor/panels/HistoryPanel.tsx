import { useState } from "react";
import { flowsApi, problemsOf } from "../../api/flows";
import type { DocumentDiff, Flow, VersionSummary } from "../../api/types";
import { useApi } from "../../app/useApi";
import { ErrorNote } from "../../components/common";
import { formatTime, useI18n } from "../../i18n/i18n";

function DiffView({ diff }: { diff: DocumentDiff }) {
  const { t } = useI18n();
  const { nodes, edges } = diff;
  const empty =
    !nodes.added.length &&
    !nodes.removed.length &&
    !nodes.changed.length &&
    !edges.added.length &&
    !edges.removed.length &&
    !diff.trigger.changed;
  if (empty) return <p className="muted">{t("history.noDiff")}</p>;
  const edge = (e: { from: string; to: string; branch?: string }) =>
    `${e.from} → ${e.to}${e.branch ? ` (${e.branch === "true" ? t("editor.yes") : t("editor.no")})` : ""}`;
  return (
    <div className="diff" data-testid="diff">
      {diff.trigger.changed && <p>{t("history.triggerChanged", { fields: diff.trigger.fields.join(", ") })}</p>}
      {nodes.added.length > 0 && (
        <p>
          <span className="badge diff-added-badge">{t("history.added")}</span> {nodes.added.join(", ")}
        </p>
      )}
      {nodes.removed.length > 0 && (
        <p>
          <span className="badge diff-removed-badge">{t("history.removed")}</span> {nodes.removed.join(", ")}
        </p>
      )}
      {nodes.changed.map((c) => (
        <p key={c.id}>
          <span className="badge diff-changed-badge">{t("history.changed")}</span> {c.id}:{" "}
          <span className="mono small">{c.fields.join(", ")}</span>
        </p>
      ))}
      {edges.added.length > 0 && (
        <p>
          {t("history.edgesAdded")}: {edges.added.map(edge).join("; ")}
        </p>
      )}
      {edges.removed.length > 0 && (
        <p>
          {t("history.edgesRemoved")}: {edges.removed.map(edge).join("; ")}
        </p>
      )}
    </div>
  );
}

export function HistoryPanel({
  flow,
  canEdit,
  onRolledBack,
  onShowDiff,
}: {
  flow: Flow;
  canEdit: boolean;
  onRolledBack: (message: string) => void;
  onShowDiff: (diff: DocumentDiff | null) => void;
}) {
  const { t, language } = useI18n();
  const versions = useApi(() => flowsApi.versions(flow.id), [flow.id, flow.current_version?.number]);
  const [selected, setSelected] = useState<number | null>(null);
  const [diff, setDiff] = useState<DocumentDiff | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const compare = async (version: VersionSummary) => {
    setSelected(version.number);
    setError(null);
    try {
      const answer = await flowsApi.diff(flow.id, version.number, "draft");
      setDiff(answer);
      onShowDiff(answer);
    } catch (reason) {
      setError(reason as Error);
    }
  };
  const rollback = async (version: VersionSummary) => {
    setError(null);
    try {
      const answer = (await flowsApi.rollback(flow.id, version.number)) as VersionSummary;
      onShowDiff(null);
      setDiff(null);
      onRolledBack(t("history.rollbackDone", { n: answer.number }));
    } catch (reason) {
      const problems = problemsOf(reason);
      setError(problems ? new Error(problems.map((p) => p.message).join("; ")) : (reason as Error));
    }
  };

  if (!versions.data) return <ErrorNote error={versions.error} onRetry={versions.reload} />;
  if (versions.data.length === 0) return <p className="muted">{t("history.empty")}</p>;
  return (
    <div className="history">
      <ErrorNote error={error} />
      <ol className="versions">
        {versions.data.map((version) => (
          <li key={version.number} className={selected === version.number ? "selected" : ""}>
            <div>
              <strong>v{version.number}</strong>
              {flow.current_version?.number === version.number && (
                <span className="badge flow-published">{t("history.current")}</span>
              )}
              <span className="muted small">
                {" "}
                {formatTime(version.published_at, language)} · {version.published_by?.username ?? "—"}
              </span>
            </div>
            {version.notes && <p className="version-note">{version.notes}</p>}
            <div className="toolbar">
              <button type="button" onClick={() => void compare(version)}>
                {t("history.compare")}
              </button>
              {canEdit && flow.current_version?.number !== version.number && (
                <button type="button" onClick={() => void rollback(version)}>
                  {t("history.rollback")}
                </button>
              )}
            </div>
            {selected === version.number && diff && <DiffView diff={diff} />}
          </li>
        ))}
      </ol>
    </div>
  );
}
