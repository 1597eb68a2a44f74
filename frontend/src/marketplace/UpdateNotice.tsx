/** "Update available" on the flow itself: a badge on the flow list and a banner in the editor, each linking
 * to the update's diff in the gallery's 已安装 tab (`/templates?tab=installed&update=<flow id>`). */
import { useEffect, useState } from "react";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { useI18n } from "../i18n/i18n";
import { marketApi, type Installation, type UpdatePreview } from "./api";

export const updateUrl = (flowId: number) => `/templates?tab=installed&update=${flowId}`;

/** The installed flows with a newer template version, by flow id (empty while loading or if it cannot be read). */
export function useTemplateUpdates(): Map<number, Installation> {
  const installations = useApi(
    (signal) =>
      marketApi.installations(signal).then(
        (answer) => answer.results,
        () => [] as Installation[],
      ),
    [],
  );
  return new Map((installations.data ?? []).filter((row) => row.update_available).map((row) => [row.flow, row]));
}

export function UpdateBadge({ installation }: { installation: Installation | undefined }) {
  const { t } = useI18n();
  if (!installation) return null;
  return (
    <Link
      to={updateUrl(installation.flow)}
      className="badge template-update"
      data-testid={`flow-update-${installation.flow}`}
    >
      {t("market.updateAvailable", { n: installation.latest_version ?? "" })}
    </Link>
  );
}

/** Shown above the editor when the flow was installed from a template that has a newer version. */
export function UpdateBanner({ flowId }: { flowId: number }) {
  const { t } = useI18n();
  const [preview, setPreview] = useState<UpdatePreview | null>(null);
  useEffect(() => {
    let live = true;
    // A flow not installed from a template answers 404: nothing to show.
    marketApi.preview(flowId).then(
      (answer) => live && setPreview(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [flowId]);
  if (!preview?.update_available) return null;
  return (
    <p className="template-update-banner" role="status" data-testid="editor-template-update">
      {t("market.flowUpdate", {
        template: preview.template,
        from: preview.installed_version,
        to: preview.latest_version ?? "",
      })}{" "}
      <Link to={updateUrl(flowId)}>{t("market.seeUpdate")}</Link>
    </p>
  );
}
