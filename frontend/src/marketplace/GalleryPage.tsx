/** The template marketplace: categories, search, cards with what each needs, a read-only preview and the
 * install wizard; the flows installed from templates with their updates; import of a flow file. */
import { useCallback, useEffect, useState } from "react";
import { catalogApi } from "../api/flows";
import type { Catalog } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { Link, navigate, useLocation } from "../app/router";
import { Empty, ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import {
  exportUrl,
  marketApi,
  previewUrl,
  type Category,
  type Installation,
  type TemplateDetail,
  type TemplateSummary,
  type UpdatePreview,
} from "./api";
import { InstallWizard } from "./InstallWizard";
import { Preview } from "./Preview";
import "./marketplace.css";

function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}

function Card({ template, onOpen }: { template: TemplateSummary; onOpen: () => void }) {
  const { t, pick, language } = useI18n();
  const titles = template.connector_titles.map((title) => pick(title));
  const missing = template.connectors.flatMap((key, i) =>
    template.missing_connectors.includes(key) ? [titles[i]] : [],
  );
  return (
    <li className="market-card" data-testid={`template-${template.key}`}>
      <span className="badge">{pick(template.category_title)}</span>
      <img
        className="market-thumb"
        src={previewUrl(template.key, language)}
        alt={t("market.previewOf", { name: pick(template.title) })}
        loading="lazy"
      />
      <h3>{pick(template.title)}</h3>
      <p>{pick(template.description)}</p>
      <p className="muted">
        {t("market.needs")}：{template.connectors.length ? titles.join("、") : t("market.needsNothing")}
      </p>
      <p className={template.ready ? "ok" : "warn"}>
        {template.ready ? t("market.ready") : t("market.missing", { names: missing.join("、") })}
      </p>
      <button type="button" className="primary" onClick={onOpen}>
        {t("market.install")}
      </button>
    </li>
  );
}

function Detail({ slug, catalog }: { slug: string; catalog: Catalog | null }) {
  const { t, pick } = useI18n();
  const { can } = useAuth();
  const [template, setTemplate] = useState<TemplateDetail | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    marketApi.get(slug, controller.signal).then(setTemplate, (caught) => {
      if (!controller.signal.aborted) setError(asError(caught));
    });
    return () => controller.abort();
  }, [slug]);
  if (error) return <ErrorNote error={error} />;
  if (!template) return <p className="loading">{t("common.loading")}</p>;
  return (
    <div className="market-detail">
      <Link to="/templates">← {t("market.back")}</Link>
      <h2>{pick(template.title)}</h2>
      <p>{pick(template.description)}</p>
      <p className="muted">
        {t("market.version", { n: template.version })} · {pick(template.category_title)} · {template.tags.join(" · ")}
      </p>
      <div className="market-columns">
        <div>
          <h3>{t("market.preview")}</h3>
          {catalog && <Preview document={template.document} catalog={catalog} />}
          <h3>{t("market.changelog")}</h3>
          <ul>
            {template.changelog.map((entry) => (
              <li key={entry.version}>
                v{entry.version} {entry.date ?? ""} {pick(entry.notes)}
              </li>
            ))}
          </ul>
        </div>
        <div>
          {can(FLOW_EDITORS) ? (
            <InstallWizard template={template} onDone={() => navigate("/templates")} />
          ) : (
            template.needs.map((need) => (
              <p key={need.key}>
                {pick(need.connector_title)}：{need.present ? "✓" : pick(need.explanation ?? undefined)}
              </p>
            ))
          )}
        </div>
      </div>
    </div>
  );
}

/** The installed flows; ``?update=<flow id>`` (the link on the flow list and in the editor) opens that flow's update diff. */
function Installed({ catalog, openFlow }: { catalog: Catalog | null; openFlow: number | null }) {
  const { t, pick } = useI18n();
  const { can } = useAuth();
  const [rows, setRows] = useState<Installation[] | null>(null);
  const [preview, setPreview] = useState<UpdatePreview | null>(null);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<Error | null>(null);
  const load = useCallback(() => {
    marketApi.installations().then(
      (answer) => setRows(answer.results),
      (caught) => setError(asError(caught)),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    if (openFlow === null) return;
    marketApi.preview(openFlow).then(
      (answer) => setPreview(answer.update_available ? answer : null),
      (caught) => setError(asError(caught)),
    );
  }, [openFlow]);
  const update = async (flowId: number) => {
    try {
      const answer = await marketApi.update(flowId);
      setNotice(t("market.updated", { n: answer.installed_version }));
      setPreview(null);
      load();
    } catch (caught) {
      setError(asError(caught));
    }
  };
  if (!rows) return error ? <ErrorNote error={error} /> : <p className="loading">{t("common.loading")}</p>;
  return (
    <div>
      <ErrorNote error={error} />
      {notice && <p role="status">{notice}</p>}
      {rows.length > 0 && (
        <p>
          <a href={exportUrl(rows.slice(0, 50).map((row) => row.flow))} download>
            {t("market.exportAll")}
          </a>
        </p>
      )}
      {rows.length === 0 ? (
        <Empty>{t("market.noInstalled")}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("market.col.flow")}</th>
              <th>{t("market.col.template")}</th>
              <th>{t("market.col.version")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.flow}>
                <td>
                  <Link to={`/flows/${row.flow}`}>{row.flow_name}</Link>
                </td>
                <td>{row.template}</td>
                <td>
                  v{row.version}{" "}
                  {row.update_available ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => void marketApi.preview(row.flow).then(setPreview, (c) => setError(asError(c)))}
                    >
                      {t("market.updateAvailable", { n: row.latest_version ?? "" })}
                    </button>
                  ) : (
                    <span className="muted">{t("market.upToDate")}</span>
                  )}
                </td>
                <td>
                  <a href={exportUrl([row.flow])} download>
                    {t("market.export")}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview?.document && catalog && (
        <section className="market-update" data-testid={`market-update-${preview.flow}`}>
          <ul>
            {preview.changelog.map((entry) => (
              <li key={entry.version}>
                v{entry.version} {pick(entry.notes)}
              </li>
            ))}
          </ul>
          <p className="muted">{t("market.diffLegend")}</p>
          <Preview
            document={preview.document}
            catalog={catalog}
            diff={{
              added: preview.diff?.nodes.added ?? [],
              changed: preview.diff?.nodes.changed.map((c) => c.id) ?? [],
            }}
          />
          {can(FLOW_EDITORS) && (
            <button type="button" className="primary" onClick={() => void update(preview.flow)}>
              {t("market.update")}
            </button>
          )}
        </section>
      )}
    </div>
  );
}

function ImportButton() {
  const { t } = useI18n();
  const [message, setMessage] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setMessage("");
    setProblems([]);
    try {
      const answer = await marketApi.importFile(JSON.parse(await file.text()));
      setMessage(t("market.imported", { n: answer.flows.length }));
    } catch (caught) {
      const details = (caught as { details?: { problems?: { message: string }[] } }).details;
      setProblems(details?.problems?.map((p) => p.message) ?? [asError(caught).message]);
    }
  };
  return (
    <div className="market-import">
      <label className="button">
        {t("market.import")}
        <input type="file" accept="application/json,.json" hidden onChange={(e) => void onFile(e.target.files?.[0])} />
      </label>
      {message && <span role="status">{message}</span>}
      {problems.length > 0 && (
        <ul className="error-note" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function GalleryPage({ slug }: { slug: string | null }) {
  const { t, pick } = useI18n();
  const { can } = useAuth();
  const { query } = useLocation();
  const tab = query.get("tab") === "installed" ? "installed" : "gallery";
  const openFlow = /^\d{1,18}$/.test(query.get("update") ?? "") ? Number(query.get("update")) : null;
  const [category, setCategory] = useState("");
  const [search, setSearch] = useState("");
  const [categories, setCategories] = useState<Category[]>([]);
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    catalogApi.get(controller.signal).then(setCatalog, () => undefined);
    return () => controller.abort();
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      marketApi.list({ category, q: search.trim().slice(0, 100) }, controller.signal).then(
        (answer) => {
          setCategories(answer.categories);
          setTemplates(answer.results);
          setError(null);
        },
        (caught) => {
          if (!controller.signal.aborted) setError(asError(caught));
        },
      );
    }, 150);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [category, search]);

  if (slug) return <Detail slug={slug} catalog={catalog} />;
  return (
    <div className="market">
      <header className="page-header">
        <h1>{t("market.title")}</h1>
        <p className="muted">{t("market.intro")}</p>
      </header>
      <div className="tabs" role="tablist">
        <Link
          to="/templates"
          role="tab"
          aria-selected={tab === "gallery"}
          className={tab === "gallery" ? "active" : ""}
        >
          {t("market.tab.gallery")}
        </Link>
        <Link
          to="/templates?tab=installed"
          role="tab"
          aria-selected={tab === "installed"}
          className={tab === "installed" ? "active" : ""}
        >
          {t("market.tab.installed")}
        </Link>
        {can(FLOW_EDITORS) && <ImportButton />}
      </div>
      {tab === "installed" ? (
        <Installed catalog={catalog} openFlow={openFlow} />
      ) : (
        <>
          <div className="market-filters">
            <input
              type="search"
              placeholder={t("market.search")}
              aria-label={t("market.search")}
              value={search}
              maxLength={100}
              onChange={(e) => setSearch(e.target.value)}
            />
            <div className="chips" role="group" aria-label={t("market.title")}>
              <button
                type="button"
                className={category === "" ? "chip active" : "chip"}
                onClick={() => setCategory("")}
              >
                {t("market.all")}
              </button>
              {categories.map((item) => (
                <button
                  key={item.key}
                  type="button"
                  className={category === item.key ? "chip active" : "chip"}
                  onClick={() => setCategory(item.key)}
                >
                  {pick(item.title)} {item.count}
                </button>
              ))}
            </div>
          </div>
          <ErrorNote error={error} />
          {templates && templates.length === 0 && <Empty>{t("market.empty")}</Empty>}
          <ul className="market-cards">
            {templates?.map((template) => (
              <Card key={template.key} template={template} onOpen={() => navigate(`/templates/${template.key}`)} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
