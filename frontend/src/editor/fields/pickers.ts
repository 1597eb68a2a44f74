/** The pickers endpoint (builder contract): the real values a parameter or a field may name, searchable. */
import { useEffect, useState } from "react";
import { api, ApiError } from "../../api/client";
import type { Localized } from "../../api/types";
import type { PickerKind } from "./fields";

export interface PickerOption {
  value: string;
  label: Localized;
  hint?: string;
}

interface PickerAnswer {
  kind: string;
  options: PickerOption[];
}

export const PICKER_LIMIT = 50;

export function fetchPicker(
  kind: PickerKind,
  q: string,
  signal?: AbortSignal,
  extra: Record<string, string> = {},
): Promise<PickerOption[]> {
  return api<PickerAnswer>(`pickers/${kind}/`, {
    query: { q: q.trim().slice(0, 100), limit: PICKER_LIMIT, ...extra },
    signal,
  }).then((answer) => answer.options);
}

/** Options of `kind` matching `q` (re-asked 200 ms after the text stops changing); `fallback` when the server has none to give. */
export function usePickerOptions(
  kind: PickerKind | null,
  q: string,
  open: boolean,
  fallback: PickerOption[],
  extra: Record<string, string> = {},
): { options: PickerOption[]; loading: boolean; error: Error | null } {
  const [state, setState] = useState<{ options: PickerOption[]; loading: boolean; error: Error | null }>({
    options: [],
    loading: false,
    error: null,
  });
  const extraKey = JSON.stringify(extra);
  useEffect(() => {
    if (!open || !kind) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setState((s) => ({ ...s, loading: true }));
      fetchPicker(kind, q, controller.signal, JSON.parse(extraKey) as Record<string, string>)
        .then((options) => setState({ options, loading: false, error: null }))
        .catch((reason: unknown) => {
          if (controller.signal.aborted) return;
          // A back end without this picker: the schema's own values stand in.
          const missing = reason instanceof ApiError && reason.status === 404;
          setState({ options: [], loading: false, error: missing ? null : (reason as Error) });
        });
    }, 200);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [kind, q, open, extraKey]);
  const needle = q.trim().toLowerCase();
  const local = fallback.filter(
    (o) =>
      !needle ||
      o.value.toLowerCase().includes(needle) ||
      o.label.zh.toLowerCase().includes(needle) ||
      o.label.en.toLowerCase().includes(needle),
  );
  const seen = new Set(state.options.map((o) => o.value));
  return { ...state, options: [...state.options, ...local.filter((o) => !seen.has(o.value))] };
}
