/**
 * Create an order by hand (phone orders, offline sales) on the manual channel: the customer, the
 * address, lines picked with the SKU search (showing the stock free to sell), shipping and discount.
 * Short stock answers 409 and is shown naming the SKU; a created order opens its detail page.
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { api, ApiError } from "../../api/client";
import type { components } from "../../api/schema";
import { useAuth } from "../../app/auth";
import { navigate } from "../../app/router";
import { ErrorNote } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { ORDER_WORKERS } from "../detail/roles";
import {
  addLine,
  emptyForm,
  newExternalId,
  previewTotal,
  serverFieldErrors,
  shortageMessage,
  shortageOf,
  toPayload,
  validate,
  type OrderForm,
  type Shortage,
} from "./form";
import "./create.css";

type Sku = components["schemas"]["Sku"];
type Order = components["schemas"]["Order"];

function Field({ label, error, children, id }: { label: string; error?: string; children: ReactNode; id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function useSkuSearch(term: string) {
  const [results, setResults] = useState<Sku[]>([]);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api<{ results: Sku[] }>("skus/", { query: { q: term.trim(), limit: 10 }, signal: controller.signal })
        .then((answer) => {
          setResults(answer.results);
          setError(null);
        })
        .catch((reason: unknown) => {
          if (!controller.signal.aborted) setError(reason as Error);
        });
    }, 250);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [term]);
  return { results, error };
}

export function CreateOrderPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const [form, setForm] = useState<OrderForm>(emptyForm);
  const [externalId] = useState(() => newExternalId());
  const [term, setTerm] = useState("");
  const search = useSkuSearch(term);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [shortage, setShortage] = useState<Shortage | null>(null);
  const [failure, setFailure] = useState<string>("");
  const [error, setError] = useState<Error | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const total = useMemo(() => previewTotal(form), [form]);

  if (!can(ORDER_WORKERS)) {
    return (
      <section className="page">
        <h1>{t("orderDetail.create.title")}</h1>
        <p className="muted">{t("orderDetail.create.readOnly")}</p>
      </section>
    );
  }

  const set = (field: keyof OrderForm) => (value: string | boolean) => setForm({ ...form, [field]: value });
  const setLine = (index: number, change: Partial<OrderForm["lines"][number]>) =>
    setForm({ ...form, lines: form.lines.map((line, i) => (i === index ? { ...line, ...change } : line)) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShortage(null);
    setFailure("");
    setError(null);
    const found = validate(form, t);
    setErrors(found);
    if (Object.keys(found).length) {
      setFailure(t("orderDetail.create.fixFields"));
      return;
    }
    setSubmitting(true);
    try {
      const order = await api<Order>("orders/", { method: "POST", body: toPayload(form, externalId) });
      navigate(`/orders/${order.id}`);
    } catch (reason) {
      const short = shortageOf(reason);
      if (short) {
        setShortage(short);
      } else if (reason instanceof ApiError && reason.code === "unknown_channel") {
        setFailure(t("orderDetail.create.noChannel"));
      } else if (reason instanceof ApiError && reason.status === 400) {
        setErrors(serverFieldErrors(reason.details));
        setFailure(`${t("orderDetail.create.fixFields")} ${reason.message}`);
      } else {
        setError(reason as Error);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const input = (
    id: string,
    field: keyof OrderForm,
    label: string,
    errorKey: string,
    extra: { maxLength?: number; inputMode?: "numeric" | "decimal" | "tel"; autoComplete?: string } = {},
  ) => (
    <Field id={id} label={label} error={errors[errorKey]}>
      <input
        id={id}
        value={String(form[field])}
        onChange={(e) => set(field)(e.target.value)}
        aria-invalid={errors[errorKey] ? true : undefined}
        aria-describedby={errors[errorKey] ? `${id}-error` : undefined}
        {...extra}
      />
    </Field>
  );

  return (
    <section className="page create-order" data-testid="create-order">
      <div className="page-head">
        <div>
          <h1>{t("orderDetail.create.title")}</h1>
          <p className="muted">{t("orderDetail.create.intro")}</p>
        </div>
      </div>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="create-grid">
          <section className="panel" aria-labelledby="customer-title">
            <h2 id="customer-title">{t("orderDetail.create.customer")}</h2>
            {input("name", "name", t("orderDetail.create.name"), "customer.name", { maxLength: 100 })}
            {input("phone", "phone", t("orderDetail.create.phone"), "customer.phone", {
              maxLength: 32,
              inputMode: "tel",
            })}
            <h2>{t("orderDetail.create.address")}</h2>
            {input("province", "province", t("orderDetail.create.province"), "shipping_address.province", {
              maxLength: 32,
            })}
            {input("city", "city", t("orderDetail.create.city"), "shipping_address.city", { maxLength: 32 })}
            {input("district", "district", t("orderDetail.create.district"), "shipping_address.district", {
              maxLength: 32,
            })}
            {input("line", "line", t("orderDetail.create.line"), "shipping_address.line", { maxLength: 200 })}
            {input("postcode", "postcode", t("orderDetail.create.postcode"), "shipping_address.postcode", {
              maxLength: 12,
              inputMode: "numeric",
            })}
          </section>

          <section className="panel" aria-labelledby="lines-title">
            <h2 id="lines-title">{t("orderDetail.create.lines")}</h2>
            <div className="sku-search">
              <input
                type="search"
                value={term}
                onChange={(e) => setTerm(e.target.value)}
                placeholder={t("orderDetail.create.skuSearch")}
                aria-label={t("orderDetail.create.skuSearch")}
                maxLength={64}
                data-testid="sku-search"
              />
              <ErrorNote error={search.error} />
              <ul className="sku-results" data-testid="sku-results">
                {search.results.length === 0 && <li className="muted small">{t("orderDetail.create.noMatch")}</li>}
                {search.results.map((sku) => (
                  <li key={sku.sku}>
                    <span>
                      <strong>{sku.sku}</strong> {sku.title} · ¥{sku.price}{" "}
                      <span className={sku.available > 0 ? "muted small" : "danger small"}>
                        {t("orderDetail.create.available", { n: sku.available })}
                      </span>
                    </span>
                    <button
                      type="button"
                      onClick={() => setForm(addLine(form, sku))}
                      aria-label={`${t("orderDetail.create.add")} ${sku.sku}`}
                    >
                      {t("orderDetail.create.add")}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
            {errors.lines && <p className="field-error">{errors.lines}</p>}
            {form.lines.length > 0 && (
              <table className="table" data-testid="order-lines">
                <thead>
                  <tr>
                    <th>{t("orderDetail.sku")}</th>
                    <th>{t("orderDetail.quantity")}</th>
                    <th>{t("orderDetail.unitPrice")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {form.lines.map((line, index) => {
                    const short = shortage?.sku === line.sku;
                    const over = Number(line.quantity) > line.available;
                    return (
                      <tr key={line.sku} className={short ? "line-short" : undefined}>
                        <td>
                          <strong>{line.sku}</strong> {line.title}
                          <div className="small muted">{t("orderDetail.create.available", { n: line.available })}</div>
                          {short && <div className="field-error">{t("orderDetail.create.shortLine")}</div>}
                        </td>
                        <td>
                          <input
                            className="qty"
                            value={line.quantity}
                            inputMode="numeric"
                            onChange={(e) => setLine(index, { quantity: e.target.value })}
                            aria-label={`${t("orderDetail.quantity")} ${line.sku}`}
                            aria-invalid={errors[`lines[${index}].quantity`] ? true : undefined}
                          />
                          {errors[`lines[${index}].quantity`] && (
                            <p className="field-error">{errors[`lines[${index}].quantity`]}</p>
                          )}
                          {!errors[`lines[${index}].quantity`] && over && (
                            <p className="warn small">{t("orderDetail.create.overAvailable", { n: line.available })}</p>
                          )}
                        </td>
                        <td>
                          <input
                            className="price"
                            value={line.unitPrice}
                            inputMode="decimal"
                            onChange={(e) => setLine(index, { unitPrice: e.target.value })}
                            aria-label={`${t("orderDetail.unitPrice")} ${line.sku}`}
                          />
                          {errors[`lines[${index}].unit_price`] && (
                            <p className="field-error">{errors[`lines[${index}].unit_price`]}</p>
                          )}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="link"
                            onClick={() => setForm({ ...form, lines: form.lines.filter((_, i) => i !== index) })}
                          >
                            {t("orderDetail.create.remove")}
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <h2>{t("orderDetail.create.amounts")}</h2>
            <div className="amount-row">
              {input("shipping", "shipping", t("orderDetail.shipping"), "shipping_amount", { inputMode: "decimal" })}
              {input("discount", "discount", t("orderDetail.discount"), "discount_amount", { inputMode: "decimal" })}
            </div>
            <label className="check">
              <input type="checkbox" checked={form.paid} onChange={(e) => set("paid")(e.target.checked)} />{" "}
              {t("orderDetail.create.paid")}
            </label>
            <p className="create-total">
              {t("orderDetail.total")} <strong data-testid="create-total">¥{total}</strong>
            </p>
          </section>
        </div>
        {shortage && (
          <div className="error-note" role="alert" data-testid="short-stock">
            {shortageMessage(shortage, form, t)}
          </div>
        )}
        {failure && (
          <div className="error-note" role="alert" data-testid="create-failure">
            {failure}
          </div>
        )}
        <ErrorNote error={error} />
        <div className="toolbar">
          <button type="submit" className="button primary" disabled={submitting} data-testid="create-submit">
            {submitting ? t("orderDetail.create.submitting") : t("orderDetail.create.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
