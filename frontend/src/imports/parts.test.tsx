import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { ColumnMapping, OrderImport } from "../api/imports";
import { I18nProvider, translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { channelOptions } from "./OrderImportsPage";
import { ImportOutcome, MappingForm, mappingProblems, reasonText, rowErrors } from "./parts";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

function setLanguage(language: "zh" | "en") {
  const store = new Map<string, string>([["orderflow.language", language]]);
  globalThis.localStorage = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, value),
  } as Storage;
}

const text = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ")
    .trim();

function job(overrides: Partial<OrderImport>): OrderImport {
  return {
    id: 7,
    filename: "jd-orders.csv",
    channel: "jd",
    channel_name: "京东自营",
    mapping: "default",
    file_format: "csv",
    status: "running",
    phase: "applying",
    total_rows: 10,
    processed_rows: 4,
    total_orders: 5,
    progress: 0.4,
    counts: { created: 0, updated: 0, ignored: 0, failed: 0 },
    error_code: "",
    message: "",
    errors: {},
    created_by: "operator",
    ...overrides,
  };
}

const render = (value: OrderImport) =>
  renderToStaticMarkup(
    <I18nProvider>
      <ImportOutcome job={value} />
    </I18nProvider>,
  );

describe("an import's progress and outcome", () => {
  beforeEach(() => setLanguage("zh"));

  it("shows a running import's progress bar and rows applied", () => {
    const markup = render(job({}));
    expect(markup).toContain('role="progressbar"');
    expect(markup).toContain('aria-valuenow="40"');
    expect(text(markup)).toContain("40 %");
    expect(text(markup)).toContain("正在导入：已处理 4 / 10 行");
    expect(markup).not.toContain('data-testid="import-counts"');
  });

  it("shows a finished import at 100 % with its counts in words", () => {
    const markup = render(
      job({ status: "succeeded", phase: "", progress: 1, counts: { created: 3, updated: 1, ignored: 1, failed: 0 } }),
    );
    expect(markup).toContain('aria-valuenow="100"');
    expect(text(markup)).toContain("导入完成：新建 3 单，更新 1 单，未变 1 单，失败 0 单。");
  });

  it("lists every refused row with its number and reason, in the user's language", () => {
    const failed = job({
      status: "failed",
      progress: 0,
      error_code: "invalid_order_import",
      message: "The order file has errors; nothing was imported.",
      errors: {
        "rows[4].quantity": "订购数量: not a whole number from 1 to 100000: 'abc'",
        "rows[2].phone": "联系电话: required",
      },
    });
    const markup = render(failed);
    expect(text(markup)).toContain("订单文件有错误，什么都没有导入。");
    expect(text(markup)).toContain("新建 0 单");
    const rows = [...markup.matchAll(/data-testid="import-error-row-(\d+)"/g)].map((m) => Number(m[1]));
    expect(rows).toEqual([2, 4]);
    expect(text(markup)).toContain("第 4 行 数量 列「订购数量」：不是 1 到 100000 之间的整数：'abc'");
    expect(text(markup)).toContain("第 2 行 联系电话 列「联系电话」：必填，但为空");

    setLanguage("en");
    const english = text(render(failed));
    expect(english).toContain("Row 4 Quantity Column “订购数量”: not a whole number from 1 to 100000: 'abc'");
    expect(english).toContain("The order file has errors; nothing was imported.");
  });
});

describe("row errors and reasons", () => {
  it("reads rows[n].field keys, then the file's and header's problems", () => {
    expect(rowErrors({ header: "no column 订单号", "rows[3]": "x", "rows[12].sku": "y" })).toEqual([
      { row: 3, field: null, scope: "", message: "x" },
      { row: 12, field: "sku", scope: "", message: "y" },
      { row: null, field: null, scope: "header", message: "no column 订单号" },
    ]);
    expect(rowErrors(null)).toEqual([]);
  });

  it("translates the known reasons and keeps the server's words for the rest", () => {
    expect(
      reasonText(
        zh,
        "订单状态: unknown status '锁定'; add it to the channel's column mapping (status words) or correct the row",
      ),
    ).toBe("列「订单状态」：未知的订单状态 '锁定'；请在渠道的列映射中添加这个状态词，或改正这一行");
    expect(reasonText(zh, "order 'JD1' was not imported: insufficient_stock: short (TEA-0001)")).toBe(
      "订单 'JD1' 未导入：库存不足（short (TEA-0001)）",
    );
    expect(reasonText(en, "something new")).toBe("something new");
  });
});

const mapping: ColumnMapping = {
  channel: "jd",
  name: "default",
  saved: false,
  columns: { external_id: "订单号", sku: "商家SKU" },
  statuses: { 完成: "completed" },
  time_zone: "Asia/Shanghai",
  order_fields: [
    { key: "external_id", name_en: "Order number", name_zh: "订单号", required: true },
    { key: "sku", name_en: "SKU", name_zh: "商品编码", required: true },
    { key: "unit_price", name_en: "Unit price", name_zh: "单价", required: false },
  ],
  updated_at: null,
  updated_by: null,
};

const renderForm = (canEdit: boolean) =>
  renderToStaticMarkup(
    <I18nProvider>
      <MappingForm mapping={mapping} canEdit={canEdit} onSave={async () => undefined} />
    </I18nProvider>,
  );

describe("the column mapping form", () => {
  beforeEach(() => setLanguage("zh"));

  it("has an input per order field holding its column header, the required ones marked", () => {
    const markup = renderForm(true);
    const inputs = [...markup.matchAll(/<input\b([^>]*)>/g)].map(([, a]) => [
      /id="([^"]*)"/.exec(a)?.[1],
      /value="([^"]*)"/.exec(a)?.[1],
      /\brequired=""/.test(a),
    ]);
    expect(inputs).toEqual([
      ["mapping-external_id", "订单号", true],
      ["mapping-sku", "商家SKU", true],
      ["mapping-unit_price", "", false],
    ]);
    expect(text(markup)).toContain("商品编码 *");
    expect(text(markup)).toContain("当前是内置映射，尚未保存过。");
    expect(text(markup)).toContain("完成 → 已完成");
    expect(markup).toContain("保存映射");
  });

  it("is read-only without a save button for readers", () => {
    const markup = renderForm(false);
    expect(markup).toContain("readOnly");
    expect(markup).not.toContain("保存映射");
  });

  it("puts the server's problems on their fields", () => {
    const reason = new ApiError(400, "invalid_column_mapping", "invalid", {
      "columns.sku": "required: the header of the column holding it",
      time_zone: "unknown time zone",
    });
    expect(mappingProblems(reason)).toEqual({
      fields: { sku: "required: the header of the column holding it" },
      other: ["time_zone: unknown time zone"],
    });
    const nested = new ApiError(400, "validation_error", "invalid", {
      columns: { unit_price: ["Ensure this field has no more than 100 characters."] },
    });
    expect(mappingProblems(nested).fields).toEqual({
      unit_price: "Ensure this field has no more than 100 characters.",
    });
    expect(reasonText(zh, "required: the header of the column holding it")).toBe("必填：填写存放它的列标题");
  });
});

describe("the channel picker", () => {
  it("names channels: imports' names first, then the known ones and the platforms", () => {
    expect(
      channelOptions(
        [{ channel: "jd", channel_name: "京东自营" }],
        [{ key: "shopify", name: { zh: "Shopify", en: "Shopify" } }],
        "zh",
      ),
    ).toEqual([
      { code: "jd", name: "京东自营" },
      { code: "tmall", name: "天猫" },
      { code: "shopify", name: "Shopify" },
    ]);
  });
});
