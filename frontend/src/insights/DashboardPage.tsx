/**
 * The dashboard: health KPIs, GMV and orders by day, hour and channel, the backlog by status and the
 * anomaly alerts, over a range of Asia/Shanghai days and one channel or all. It refetches by itself
 * when a live event says orders, KPIs or alerts changed. Every chart reads as a table too.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { hasRole, useAuth } from "../app/auth";
import { useLiveUp } from "../app/live";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { AlertsPanel } from "./Alerts";
import { ALERT_RESOLVERS, kpisApi, THRESHOLD_EDITORS } from "./api";
import { ChartCard } from "./ChartCard";
import { mergeChannels, type KnownChannel } from "./channels";
import { backlogDataset, byChannelDataset, byDayDataset, byHourDataset } from "./charts";
import {
  formatClock,
  formatMoney,
  formatNumber,
  presetRange,
  rangeProblem,
  shanghaiToday,
  type Fmt,
  type RangePreset,
} from "./format";
import { KpiSection } from "./KpiCards";
import { changesAlerts, changesKpis, onLiveEvents, whenVisible } from "./live";
import { ThresholdEditor } from "./ThresholdEditor";
import "./dashboard.css";

const PRESETS: RangePreset[] = ["today", "7d", "30d", "custom"];

interface DateRange {
  from: string;
  to: string;
}

function CustomRange({ initial, fmt, onApply }: { initial: DateRange; fmt: Fmt; onApply: (range: DateRange) => void }) {
  const [draft, setDraft] = useState(initial);
  const [problem, setProblem] = useState<{ field: "from" | "to"; key: MessageKey } | null>(null);
  const today = shanghaiToday(new Date());
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const found = rangeProblem(draft.from, draft.to);
    setProblem(found);
    if (!found) onApply(draft);
  };
  const field = (name: "from" | "to") => {
    const id = `dash-range-${name}`;
    const error = problem?.field === name ? fmt.t(problem.key) : null;
    return (
      <div className={`field${error ? " invalid" : ""}`}>
        <label htmlFor={id}>{fmt.t(`dash.range.${name}`)}</label>
        <input
          id={id}
          type="date"
          max={today}
          value={draft[name]}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
        />
        {error && (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        )}
      </div>
    );
  };
  return (
    <form className="dash-custom" onSubmit={apply} noValidate>
      {field("from")}
      {field("to")}
      <button type="submit">{fmt.t("dash.range.apply")}</button>
    </form>
  );
}

export function DashboardPage() {
  const { t, pick, language } = useI18n();
  const liveUp = useLiveUp();
  const fmt = useMemo<Fmt>(() => ({ t, pick, language }), [t, pick, language]);
  const { me } = useAuth();
  const canEditThresholds = hasRole(me, THRESHOLD_EDITORS);
  const canResolve = hasRole(me, ALERT_RESOLVERS);

  const [preset, setPreset] = useState<RangePreset>("7d");
  const [custom, setCustom] = useState<DateRange>(() => presetRange("7d", new Date()));
  const [channel, setChannel] = useState<string | null>(null);
  const [channels, setChannels] = useState<KnownChannel[]>([]);
  const [editingThresholds, setEditingThresholds] = useState(false);
  const [alertsVersion, setAlertsVersion] = useState(0);

  const kpis = useApi(
    async (signal) => {
      // A preset is computed when it loads, so a page left open past midnight moves to the new day.
      const range = preset === "custom" ? custom : presetRange(preset, new Date());
      const answer = await kpisApi.get({ ...range, channel }, signal);
      setChannels((known) => mergeChannels(known, answer.series.by_channel));
      return { answer, at: new Date() };
    },
    [preset, custom.from, custom.to, channel],
  );
  const { reload } = kpis;
  const answer = kpis.data?.answer;

  useEffect(() => {
    const refetch = whenVisible(reload, document);
    const stop = onLiveEvents(window, changesKpis, refetch.call);
    return () => {
      stop();
      refetch.stop();
    };
  }, [reload]);
  useEffect(() => {
    const reloadAlerts = whenVisible(() => setAlertsVersion((n) => n + 1), document);
    const stop = onLiveEvents(window, changesAlerts, reloadAlerts.call);
    return () => {
      stop();
      reloadAlerts.stop();
    };
  }, []);

  const datasets = useMemo(
    () =>
      answer
        ? [
            byDayDataset(answer, fmt),
            byHourDataset(answer, fmt),
            byChannelDataset(answer, fmt),
            backlogDataset(answer, fmt),
          ]
        : [],
    [answer, fmt],
  );
  const channelName = useCallback(
    (code: string) => pick(channels.find((known) => known.code === code)?.name, code),
    [channels, pick],
  );
  const choosePreset = (next: RangePreset) => {
    if (next === "custom" && answer) setCustom({ from: answer.range.from, to: answer.range.to });
    setPreset(next);
  };

  return (
    <div className="page dashboard">
      <div className="page-head">
        <h1>{t("dash.title")}</h1>
        <p className="dash-status">
          {liveUp ? (
            <span className="dash-live" title={t("dash.live.hint")} data-testid="dash-live">
              <span className="dot" aria-hidden="true" />
              {t("dash.live")}
              <span className="visually-hidden">{t("dash.live.hint")}</span>
            </span>
          ) : (
            <span className="dash-live offline" data-testid="dash-offline">
              {t("dash.offline")}
            </span>
          )}
          {kpis.data && (
            <span className="muted small" data-testid="dash-updated">
              {t("dash.updatedAt", { time: formatClock(kpis.data.at, language) })}
            </span>
          )}
          {kpis.loading && kpis.data && <span className="muted small">{t("dash.refreshing")}</span>}
        </p>
      </div>

      <div className="dash-filters" role="group" aria-label={t("dash.filters")}>
        <div className="segmented" role="group" aria-label={t("dash.range.label")}>
          {PRESETS.map((value) => (
            <button key={value} type="button" aria-pressed={preset === value} onClick={() => choosePreset(value)}>
              {t(`dash.range.${value}`)}
            </button>
          ))}
        </div>
        {preset === "custom" && (
          <CustomRange key={`${custom.from}/${custom.to}`} initial={custom} fmt={fmt} onApply={setCustom} />
        )}
        <div className="field dash-channel">
          <label htmlFor="dash-channel">{t("dash.channel")}</label>
          <select id="dash-channel" value={channel ?? ""} onChange={(event) => setChannel(event.target.value || null)}>
            <option value="">{t("dash.channel.all")}</option>
            {channels.map((known) => (
              <option key={known.code} value={known.code}>
                {pick(known.name, known.code)}
              </option>
            ))}
          </select>
        </div>
        {canEditThresholds && (
          <button
            type="button"
            aria-expanded={editingThresholds}
            onClick={() => setEditingThresholds(!editingThresholds)}
          >
            {t("dash.thresholds.edit")}
          </button>
        )}
      </div>

      {answer && (
        <p className="muted dash-range">{t("dash.range.shown", { from: answer.range.from, to: answer.range.to })}</p>
      )}
      <ErrorNote error={kpis.error} onRetry={reload} />
      {kpis.loading && !answer && <p className="loading">{t("common.loading")}</p>}

      {answer && editingThresholds && canEditThresholds && (
        <ThresholdEditor kpis={answer.kpis} fmt={fmt} onSaved={reload} />
      )}

      {answer && (
        <>
          <KpiSection kpis={answer.kpis} fmt={fmt} currency={answer.totals.currency} />
          <section className="dash-totals" aria-label={t("dash.totals")}>
            <dl>
              <div>
                <dt>{t("dash.measure.orders")}</dt>
                <dd>{formatNumber(answer.totals.orders, language)}</dd>
              </div>
              <div>
                <dt>{t("dash.measure.gmv")}</dt>
                <dd>{formatMoney(answer.totals.gmv, answer.totals.currency, language)}</dd>
              </div>
            </dl>
          </section>
          <div className="dash-charts">
            {datasets.map((dataset) => (
              <ChartCard key={dataset.key} dataset={dataset} fmt={fmt} />
            ))}
          </div>
        </>
      )}

      <AlertsPanel fmt={fmt} channelName={channelName} canResolve={canResolve} version={alertsVersion} />
    </div>
  );
}
