/**
 * The manual order form's logic: its fields, the checks made before sending, the body for
 * `POST /api/v1/orders/`, and the server's refusals in the user's words (409 `insufficient_stock`
 * naming the SKU short, 400 field errors on their fields).
 */
import { ApiError } from "../../api/client";
import type { MessageKey } from "../../i18n/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The channel hand-made orders go to (orderflow/demo/data.py, commerce.channels Channel.MANUAL). */
export const MANUAL_CHANNEL = "manual";

export interface FormLine {
  sku: string;
  title: string;
  /** What the SKU search said is free to sell, when the line was added. */
  available: number;
  quantity: string;
  unitPrice: string;
}

export interface OrderForm {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  line: string;
  postcode: string;
  shipping: string;
  discount: string;
  paid: boolean;
  lines: FormLine[];
}

export function emptyForm(): OrderForm {
  return {
    name: "",
    phone: "",
    province: "",
    city: "",
    district: "",
    line: "",
    postcode: "",
    shipping: "0.00",
    discount: "0.00",
    paid: false,
    lines: [],
  };
}

/** The order's id on the manual channel: the same form sent twice answers the same order (200), not two. */
export function newExternalId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/[-:TZ.]/g, "")
    .slice(0, 14);
  const tail = Math.floor(random() * 36 ** 4)
    .toString(36)
    .toUpperCase()
    .padStart(4, "0");
  return `MAN-${stamp}-${tail}`;
}

const PHONE = /^\+?[0-9][0-9 -]{4,30}$/;
const AMOUNT = /^\d{1,10}(\.\d{1,2})?$/;

/** Adds a SKU (one more of it when it is already a line). */
export function addLine(form: OrderForm, found: { sku: string; title: string; price: string; available: number }) {
  const existing = form.lines.find((line) => line.sku === found.sku);
  if (existing) {
    return {
      ...form,
      lines: form.lines.map((line) =>
        line.sku === found.sku ? { ...line, quantity: String((Number(line.quantity) || 0) + 1) } : line,
      ),
    };
  }
  const line: FormLine = {
    sku: found.sku,
    title: found.title,
    available: found.available,
    quantity: "1",
    unitPrice: found.price,
  };
  return { ...form, lines: [...form.lines, line] };
}

/** What is wrong before sending, keyed like the server's fields (`customer.phone`, `lines[0].quantity`). */
export function validate(form: OrderForm, t: T): Record<string, string> {
  const errors: Record<string, string> = {};
  const required = t("orderDetail.create.required");
  if (!form.name.trim()) errors["customer.name"] = required;
  if (!form.phone.trim()) errors["customer.phone"] = required;
  else if (!PHONE.test(form.phone.trim())) errors["customer.phone"] = t("orderDetail.create.badPhone");
  for (const field of ["province", "city", "line"] as const) {
    if (!form[field].trim()) errors[`shipping_address.${field}`] = required;
  }
  for (const [field, value] of [
    ["shipping_amount", form.shipping],
    ["discount_amount", form.discount],
  ] as const) {
    if (!AMOUNT.test(value.trim())) errors[field] = t("orderDetail.create.badAmount");
  }
  if (form.lines.length === 0) errors.lines = t("orderDetail.create.noLines");
  form.lines.forEach((line, index) => {
    const quantity = Number(line.quantity);
    if (!/^\d+$/.test(line.quantity.trim()) || quantity < 1 || quantity > 100_000)
      errors[`lines[${index}].quantity`] = t("orderDetail.create.badQuantity");
    if (!AMOUNT.test(line.unitPrice.trim())) errors[`lines[${index}].unit_price`] = t("orderDetail.create.badAmount");
  });
  return errors;
}

/** The body of `POST /api/v1/orders/` (DESIGN "Public contract"). */
export function toPayload(form: OrderForm, externalId: string) {
  return {
    channel: MANUAL_CHANNEL,
    external_id: externalId,
    status: form.paid ? "paid" : "pending_payment",
    customer: { name: form.name.trim(), phone: form.phone.trim() },
    shipping_address: {
      province: form.province.trim(),
      city: form.city.trim(),
      district: form.district.trim(),
      line: form.line.trim(),
      postcode: form.postcode.trim(),
    },
    lines: form.lines.map((line) => ({
      sku: line.sku,
      quantity: Number(line.quantity),
      unit_price: line.unitPrice.trim(),
    })),
    shipping_amount: form.shipping.trim(),
    discount_amount: form.discount.trim(),
  };
}

/** Goods + shipping − discount, as shown before sending (the server computes the stored total). */
export function previewTotal(form: OrderForm): string {
  const cents = (value: string) => Math.round((Number(value) || 0) * 100);
  const goods = form.lines.reduce((sum, line) => sum + cents(line.unitPrice) * (Number(line.quantity) || 0), 0);
  return ((goods + cents(form.shipping) - cents(form.discount)) / 100).toFixed(2);
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
  /** The line's index in the form, when the server named it. */
  line: number | null;
}

/** The SKU a 409 `insufficient_stock` answer names, or null for any other error. */
export function shortageOf(error: unknown): Shortage | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== "insufficient_stock") return null;
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (typeof details.sku !== "string") return null;
  return {
    sku: details.sku,
    requested: Number(details.requested ?? 0),
    available: Number(details.available ?? 0),
    line: typeof details.line === "number" ? details.line : null,
  };
}

/** "库存不足：TEA-0001（西湖龙井）需要 3 件，只有 1 件可用。…" */
export function shortageMessage(shortage: Shortage, form: OrderForm, t: T): string {
  const title = form.lines.find((line) => line.sku === shortage.sku)?.title ?? shortage.sku;
  return t("orderDetail.create.short", {
    sku: shortage.sku,
    title,
    requested: shortage.requested,
    available: shortage.available,
  });
}

/** A 400 answer's `details` flattened to field paths: `{"customer": {"phone": ["…"]}}` → `{"customer.phone": "…"}`. */
export function serverFieldErrors(details: unknown, prefix = ""): Record<string, string> {
  const found: Record<string, string> = {};
  if (typeof details === "string") {
    if (prefix) found[prefix] = details;
    return found;
  }
  if (Array.isArray(details)) {
    if (details.every((item) => typeof item === "string")) {
      if (prefix) found[prefix] = details.join(" ");
      return found;
    }
    details.forEach((item, index) => Object.assign(found, serverFieldErrors(item, `${prefix}[${index}]`)));
    return found;
  }
  if (details && typeof details === "object") {
    for (const [key, value] of Object.entries(details)) {
      Object.assign(found, serverFieldErrors(value, prefix ? `${prefix}.${key}` : key));
    }
  }
  return found;
}
