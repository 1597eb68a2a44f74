/** The board's filters: status, channel, province and city, time range, tags, held, overdue. */
import { useEffect, useRef, useState, type InputHTMLAttributes, type KeyboardEvent } from "react";
import { useI18n } from "../../i18n/i18n";
import type { BoardFilters, Channel, OrderStatus } from "./api";
import { activeFilterCount, parseTags, STATUSES, WITHIN_DAYS } from "./filters";

/** The provinces of mainland China, for the province picker (shipping addresses name them so). */
export const PROVINCES = [
  "北京市",
  "天津市",
  "上海市",
  "重庆市",
  "河北省",
  "山西省",
  "辽宁省",
  "吉林省",
  "黑龙江省",
  "江苏省",
  "浙江省",
  "安徽省",
  "福建省",
  "江西省",
  "山东省",
  "河南省",
  "湖北省",
  "湖南省",
  "广东省",
  "海南省",
  "四川省",
  "贵州省",
  "云南省",
  "陕西省",
  "甘肃省",
  "青海省",
  "台湾省",
  "内蒙古自治区",
  "广西壮族自治区",
  "西藏自治区",
  "宁夏回族自治区",
  "新疆维吾尔自治区",
  "香港特别行政区",
  "澳门特别行政区",
];

/** Typing waits this long before it filters the board (one request, not one per keystroke). */
export const TYPING_PAUSE_MS = 400;

/** A text input that reports its value once typing pauses, on Enter, or when it loses focus. */
function TextFilter({
  value,
  onCommit,
  ...rest
}: { value: string; onCommit: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "value" | "onChange"
>) {
  const [text, setText] = useState(value);
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => commit.current(text), TYPING_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [text, value]);
  return (
    <input
      {...rest}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== value && onCommit(text)}
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          if (text !== value) onCommit(text);
        }
      }}
    />
  );
}

function toggle<T>(list: T[] | undefined, value: T): T[] {
  const current = list ?? [];
  return current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
}

/** A date input's value (YYYY-MM-DD, a day in Asia/Shanghai) from an ISO time, and back. */
export function dayOf(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function startOfDay(day: string): string | null {
  return day ? new Date(`${day}T00:00:00+08:00`).toISOString() : null;
}

function triState(value: boolean | null | undefined): string {
  return value === true ? "true" : value === false ? "false" : "";
}

function fromTriState(value: string): boolean | null {
  return value === "true" ? true : value === "false" ? false : null;
}

export function FilterBar({
  filters,
  channels,
  cities,
  knownTags,
  onChange,
}: {
  filters: BoardFilters;
  channels: Channel[];
  /** Cities seen on the loaded orders, offered in the city picker. */
  cities: string[];
  /** Tags seen on the loaded orders, offered in the tag pickers (here and in the bulk bar). */
  knownTags: string[];
  onChange: (filters: BoardFilters) => void;
}) {
  const { t } = useI18n();
  const [tagText, setTagText] = useState("");
  const set = (patch: BoardFilters) => onChange({ ...filters, ...patch });
  const addTags = () => {
    const tags = parseTags(tagText);
    if (tags.length) set({ tags: [...new Set([...(filters.tags ?? []), ...tags])].slice(0, 10) });
    setTagText("");
  };
  const onTagKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addTags();
    }
  };
  const range = filters.created_within_days
    ? String(filters.created_within_days)
    : filters.created_after || filters.created_before
      ? "custom"
      : "";
  const setRange = (value: string) => {
    if (value === "custom")
      set({ created_within_days: null, created_after: startOfDay(dayOf(new Date().toISOString())) });
    else set({ created_within_days: value ? Number(value) : null, created_after: null, created_before: null });
  };

  return (
    <fieldset className="board-filters" aria-label={t("orders.board.filters")}>
      <div className="board-statuses" role="group" aria-label={t("orders.board.status")}>
        {STATUSES.map((status: OrderStatus) => (
          <label key={status} className={`check chip${filters.status?.includes(status) ? " on" : ""}`}>
            <input
              type="checkbox"
              checked={filters.status?.includes(status) ?? false}
              onChange={() => set({ status: toggle(filters.status, status) })}
            />
            {t(`orderStatus.${status}`)}
          </label>
        ))}
      </div>
      <div className="board-filter-row">
        <label>
          {t("orders.board.channel")}
          <select
            aria-label={t("orders.board.channel")}
            value={filters.channel ?? ""}
            onChange={(e) => set({ channel: e.target.value })}
          >
            <option value="">{t("common.all")}</option>
            {channels.map((channel) => (
              <option key={channel.code} value={channel.code}>
                {channel.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("orders.board.province")}
          <TextFilter
            list="board-provinces"
            value={filters.province ?? ""}
            placeholder={t("common.all")}
            onCommit={(province) => set({ province })}
            size={10}
          />
          <datalist id="board-provinces">
            {PROVINCES.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label>
          {t("orders.board.city")}
          <TextFilter
            list="board-cities"
            value={filters.city ?? ""}
            placeholder={t("common.all")}
            onCommit={(city) => set({ city })}
            size={8}
          />
          <datalist id="board-cities">
            {cities.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <label>
          {t("orders.board.range")}
          <select aria-label={t("orders.board.range")} value={range} onChange={(e) => setRange(e.target.value)}>
            <option value="">{t("orders.board.range.all")}</option>
            {WITHIN_DAYS.map((days) => (
              <option key={days} value={days}>
                {t("orders.board.range.days", { days })}
              </option>
            ))}
            <option value="custom">{t("orders.board.range.custom")}</option>
          </select>
        </label>
        {range === "custom" && (
          <>
            <label>
              {t("orders.board.range.from")}
              <input
                type="date"
                value={dayOf(filters.created_after)}
                onChange={(e) => set({ created_after: startOfDay(e.target.value) })}
              />
            </label>
            <label>
              {t("orders.board.range.to")}
              <input
                type="date"
                value={dayOf(
                  filters.created_before
                    ? new Date(new Date(filters.created_before).getTime() - 1).toISOString()
                    : null,
                )}
                onChange={(e) => {
                  const start = startOfDay(e.target.value);
                  set({
                    created_before: start ? new Date(new Date(start).getTime() + 86_400_000).toISOString() : null,
                  });
                }}
              />
            </label>
          </>
        )}
        <label>
          {t("orders.board.held")}
          <select
            aria-label={t("orders.board.held")}
            value={triState(filters.on_hold)}
            onChange={(e) => set({ on_hold: fromTriState(e.target.value) })}
          >
            <option value="">{t("common.all")}</option>
            <option value="true">{t("orders.board.heldOnly")}</option>
            <option value="false">{t("orders.board.notHeld")}</option>
          </select>
        </label>
        <label>
          {t("orders.board.overdue")}
          <select
            aria-label={t("orders.board.overdue")}
            value={triState(filters.overdue)}
            onChange={(e) => set({ overdue: fromTriState(e.target.value) })}
          >
            <option value="">{t("common.all")}</option>
            <option value="true">{t("orders.board.overdueOnly")}</option>
            <option value="false">{t("orders.board.notOverdue")}</option>
          </select>
        </label>
        <label>
          {t("orders.board.tags")}
          <datalist id="board-tags">
            {knownTags.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
          <input
            list="board-tags"
            value={tagText}
            placeholder={t("orders.board.tagsHint")}
            onChange={(e) => setTagText(e.target.value)}
            onKeyDown={onTagKey}
            onBlur={addTags}
            size={10}
          />
        </label>
        {(filters.tags ?? []).map((tag) => (
          <button
            key={tag}
            type="button"
            className="chip on"
            aria-label={t("orders.board.removeTag", { tag })}
            onClick={() => set({ tags: (filters.tags ?? []).filter((x) => x !== tag) })}
          >
            {tag} ×
          </button>
        ))}
        {activeFilterCount({ ...filters, q: undefined }) > 0 && (
          <button type="button" className="link" onClick={() => onChange(filters.q ? { q: filters.q } : {})}>
            {t("orders.board.clearFilters")}
          </button>
        )}
      </div>
      <p className="muted small">{t("orders.board.overdueHint")}</p>
    </fieldset>
  );
}
