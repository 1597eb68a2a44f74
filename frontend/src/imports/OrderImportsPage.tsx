/**
 * Import order file: pick the channel, upload its CSV / .xlsx export, follow the import to its end
 * (progress, counts, every refused row), the recent imports, and the channel's column mapping.
 */
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { connectorsApi } from "../api/connections";
import { IMPORT_UPLOADERS, isRunning, orderImportsApi, type OrderImport } from "../api/imports";
import { useAuth } from "../app/auth";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import { countsText, ImportOutcome, ImportStatusBadge, MappingForm, rowErrors, RowErrorList } from "./parts";

const POLL_MS = 1000;

export interface ChannelOption {
  code: string;
  name: string;
}

/** Channels that export order files, known before any import (commerce channels seeded by code). */
const KNOWN: { code: string; zh: string; en: string }[] = [
  { code: "jd", zh: "京东", en: "JD.com" },
  { code: "tmall", zh: "天猫", en: "Tmall" },
];

/** The channels to pick from: the ones imports named (with their names), the platforms, and the known ones. */
export function channelOptions(
  imports: Pick<OrderImport, "channel" | "channel_name">[],
  platforms: { key: string; name: { zh?: string; en?: string } }[],
  language: "zh" | "en",
): ChannelOption[] {
  const found = new Map<string, string>();
  for (const job of imports) if (!found.has(job.channel)) found.set(job.channel, job.channel_name || job.channel);
  for (const known of KNOWN) if (!found.has(known.code)) found.set(known.code, language === "zh" ? known.zh : known.en);
  for (const platform of platforms) {
    const name =
      (language === "zh" ? platform.name.zh || platform.name.en : platform.name.en || platform.name.zh) ?? "";
    if (!found.has(platform.key)) found.set(platform.key, name || platform.key);
  }
  return [...found].map(([code, name]) => ({ code, name }));
}

/** Follows an import until it ends. */
function usePolledImport(id: number | null, onEnd: () => void) {
  const [job, setJob] = useState<OrderImport | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (id === null) return;
    let stopped = false;
    let timer = 0;
    const tick = async () => {
      try {
        const answer = await orderImportsApi.get(id);
        if (stopped) return;
        setJob(answer);
        setError(null);
        if (isRunning(answer)) timer = window.setTimeout(() => void tick(), POLL_MS);
        else onEnd();
      } catch (reason) {
        if (stopped) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        timer = window.setTimeout(() => void tick(), POLL_MS * 3);
      }
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  return { job: id === null ? null : job && job.id === id ? job : null, error };
}

function MappingSection({ channel, canEdit }: { channel: string; canEdit: boolean }) {
  const { t } = useI18n();
  const mapping = useApi((signal) => orderImportsApi.mapping(channel, signal), [channel]);
  const notFound = mapping.error instanceof ApiError && mapping.error.status === 404;
  return (
    <section className="panel" aria-labelledby="mapping-title">
      <h2 id="mapping-title">{t("mapping.title")}</h2>
      <p className="muted small">{t("mapping.intro")}</p>
      {notFound ? (
        <p className="error-note" role="alert">
          {t("import.noChannel")}
        </p>
      ) : (
        <ErrorNote error={mapping.error} onRetry={mapping.reload} />
      )}
      {mapping.loading && !mapping.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : (
        mapping.data &&
        mapping.data.channel === channel && (
          <MappingForm
            key={`${channel}-${mapping.data.updated_at ?? ""}`}
            mapping={mapping.data}
            canEdit={canEdit}
            onSave={async (body) => mapping.setData(await orderImportsApi.saveMapping(channel, body))}
          />
        )
      )}
    </section>
  );
}

export function OrderImportsPage() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canUpload = can(IMPORT_UPLOADERS);
  const recent = useApi((signal) => orderImportsApi.list(signal), []);
  const platforms = useApi(
    async (signal) => (await connectorsApi.list(signal)).filter((connector) => connector.kind === "platform"),
    [],
  );
  const imports = useMemo(() => recent.data?.results ?? [], [recent.data]);
  const options = useMemo(
    () => channelOptions(imports, platforms.data ?? [], language),
    [imports, platforms.data, language],
  );
  const [channel, setChannel] = useState("jd");
  const [file, setFile] = useState<File | null>(null);
  const [uploading, setUploading] = useState(false);
  const [refused, setRefused] = useState<ApiError | Error | null>(null);
  const [currentId, setCurrentId] = useState<number | null>(null);
  const current = usePolledImport(currentId, recent.reload);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setUploading(true);
    setRefused(null);
    try {
      const job = await orderImportsApi.upload(file, channel);
      setCurrentId(job.id);
      recent.reload();
    } catch (reason) {
      setRefused(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setUploading(false);
    }
  };

  return (
    <section className="page order-imports-page">
      <div className="page-head">
        <div>
          <p className="small">
            <Link to="/connections">{t("nav.connections")}</Link> /
          </p>
          <h1>{t("import.title")}</h1>
          <p className="muted">{t("import.intro")}</p>
        </div>
        {!canUpload && <p className="muted small">{t("common.readonly")}</p>}
      </div>

      <section className="panel" aria-labelledby="upload-title">
        <h2 id="upload-title">{t("import.upload")}</h2>
        <form className="import-form" onSubmit={(event) => void submit(event)}>
          <div className="field">
            <label htmlFor="import-channel">{t("import.channel")}</label>
            <select id="import-channel" value={channel} onChange={(event) => setChannel(event.target.value)}>
              {options.map((option) => (
                <option key={option.code} value={option.code}>
                  {option.name}
                </option>
              ))}
            </select>
          </div>
          {canUpload && (
            <>
              <div className="field">
                <label htmlFor="import-file">{t("import.file")}</label>
                <input
                  id="import-file"
                  type="file"
                  accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  onChange={(event) => setFile(event.target.files?.[0] ?? null)}
                />
                <p className="field-hint">{t("import.fileHint")}</p>
              </div>
              <button type="submit" className="button primary" disabled={!file || uploading}>
                {uploading ? t("import.uploading") : t("import.submit")}
              </button>
            </>
          )}
        </form>
        {refused && (
          <div className="error-note" role="alert" data-testid="import-refused">
            {refused instanceof ApiError
              ? translateOr(t, `importFailure.${refused.code}`, refused.message)
              : refused.message}
            {refused instanceof ApiError && <RowErrorList errors={rowErrors(refused.details)} />}
          </div>
        )}
        <ErrorNote error={current.error} />
        {current.job && <ImportOutcome job={current.job} />}
      </section>

      <section className="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">{t("import.recent")}</h2>
        <ErrorNote error={recent.error} onRetry={recent.reload} />
        {imports.length === 0 ? (
          recent.loading ? (
            <p className="loading">{t("common.loading")}</p>
          ) : (
            <Empty>{t("import.none")}</Empty>
          )
        ) : (
          <table className="table" data-testid="recent-imports">
            <thead>
              <tr>
                <th scope="col">{t("import.when")}</th>
                <th scope="col">{t("import.file")}</th>
                <th scope="col">{t("import.channel")}</th>
                <th scope="col">{t("import.status")}</th>
                <th scope="col">{t("import.outcome")}</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((job) => (
                <tr key={job.id}>
                  <td>{formatTime(job.created_at, language)}</td>
                  <td>
                    <button type="button" className="link" onClick={() => setCurrentId(job.id)}>
                      {job.filename}
                    </button>
                  </td>
                  <td>{job.channel_name || job.channel}</td>
                  <td>
                    <ImportStatusBadge status={job.status} />
                  </td>
                  <td className="small">{isRunning(job) ? "—" : countsText(t, job)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <MappingSection channel={channel} canEdit={canUpload} />
    </section>
  );
}
