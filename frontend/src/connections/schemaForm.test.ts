import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Connector } from "../api/connections";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import shopifyAnswer from "./fixtures/shopify-connector.json";
import {
  closedSchema,
  credentialsPayload,
  fieldErrorText,
  fieldRangeHint,
  fieldsOf,
  fieldTitle,
  initialValues,
  onForm,
  parseNumber,
  serverErrors,
  settingsPayload,
  untouched,
  validateField,
  validateFields,
  valuesFrom,
  type FieldSpec,
} from "./schemaForm";

// GET /api/v1/connectors/ as the backend answers it for Shopify (connectors/platforms/shopify/manifest.py).
const shopify = shopifyAnswer as Connector;
const fields = fieldsOf(shopify.credentials_schema, shopify.secret_fields);
const field = (name: string) => fields.find((f) => f.name === name) as FieldSpec;
const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

const filled = {
  shop_domain: "my-brand.myshopify.com",
  access_token: "shpat_123",
  client_secret: "s3cret",
  api_version: "2024-07",
  location_id: "",
};

describe("fields drawn from credentials_schema", () => {
  it("lists every property in the schema's order with its rules", () => {
    expect(fields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ["shop_domain", true, false],
      ["access_token", true, true],
      ["client_secret", true, true],
      ["api_version", false, false],
      ["location_id", false, false],
    ]);
    expect(field("shop_domain")).toMatchObject({
      pattern: "^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$",
      maxLength: 100,
      example: "my-brand.myshopify.com",
    });
    expect(field("access_token")).toMatchObject({ minLength: 1, maxLength: 200 });
  });

  it("titles each field in the user's language from title and x-title-zh", () => {
    expect(fieldTitle(field("shop_domain"), "zh")).toBe("店铺域名");
    expect(fieldTitle(field("shop_domain"), "en")).toBe("Shop domain");
    expect(fieldTitle(field("client_secret"), "zh")).toBe("应用密钥（用于 Webhook 签名）");
  });

  it("falls back to the English title, then to the property name", () => {
    const [plain, untitled] = fieldsOf({ properties: { a: { title: "Alpha" }, b: {} } });
    expect(plain.title).toEqual({ en: "Alpha", zh: "Alpha" });
    expect(untitled.title).toEqual({ en: "b", zh: "b" });
  });

  it("treats writeOnly properties and the manifest's secret_fields as secrets", () => {
    const [token, pin] = fieldsOf(
      { properties: { token: { type: "string", writeOnly: true }, pin: { type: "string" } } },
      ["pin"],
    );
    expect([token.secret, pin.secret]).toEqual([true, true]);
  });

  it("starts from the schema's defaults, never with a value in a secret", () => {
    expect(initialValues(fields)).toEqual({
      shop_domain: "",
      access_token: "",
      client_secret: "",
      api_version: "2024-07",
      location_id: "",
    });
  });
});

describe("checks before sending", () => {
  it("requires the required fields", () => {
    expect(validateField(field("shop_domain"), "")).toEqual({ kind: "required" });
    expect(validateField(field("location_id"), "")).toBeNull();
    expect(validateField(field("shop_domain"), "", true)).toBeNull();
  });

  it("checks the pattern and names a valid example", () => {
    expect(validateField(field("shop_domain"), "my-brand.myshopify.com")).toBeNull();
    expect(validateField(field("shop_domain"), "https://my-brand.myshopify.com")).toEqual({
      kind: "pattern",
      example: "my-brand.myshopify.com",
    });
    // No example in the schema: its default shows what a value looks like.
    expect(validateField(field("api_version"), "July 2024")).toEqual({ kind: "pattern", example: "2024-07" });
  });

  it("checks maxLength", () => {
    expect(validateField(field("shop_domain"), `${"a".repeat(90)}.myshopify.com`)).toEqual({
      kind: "maxLength",
      limit: 100,
    });
    expect(validateField(field("location_id"), "1".repeat(32))).toBeNull();
    expect(validateField(field("location_id"), "1".repeat(33))).toEqual({ kind: "maxLength", limit: 32 });
  });

  it("checks the whole form and says what is missing", () => {
    expect(validateFields(fields, initialValues(fields))).toEqual({
      shop_domain: { kind: "required" },
      access_token: { kind: "required" },
      client_secret: { kind: "required" },
    });
    expect(validateFields(fields, filled)).toEqual({});
  });

  it("lets a sandbox connection leave its credentials empty, but checks what the user typed", () => {
    expect(validateFields(fields, initialValues(fields), true)).toEqual({});
    expect(validateFields(fields, { ...initialValues(fields), shop_domain: "shop" }, true)).toEqual({
      shop_domain: { kind: "pattern", example: "my-brand.myshopify.com" },
      access_token: { kind: "required" },
      client_secret: { kind: "required" },
    });
  });
});

describe("what is sent", () => {
  it("sends the fields with a value, secrets included", () => {
    expect(credentialsPayload(fields, filled, false)).toEqual({
      shop_domain: "my-brand.myshopify.com",
      access_token: "shpat_123",
      client_secret: "s3cret",
      api_version: "2024-07",
    });
  });

  it("sends {} for an untouched sandbox form, so that the server fills in the test credentials", () => {
    expect(credentialsPayload(fields, initialValues(fields), true)).toEqual({});
    expect(credentialsPayload(fields, filled, true)).toEqual(credentialsPayload(fields, filled, false));
  });
});

describe("the server's errors on the fields they concern", () => {
  // The 400 body POST /api/v1/connections/ answers (connectors/services/connections.py _validate).
  const invalid = new ApiError(400, "invalid", "请求无效。", {
    "credentials.client_secret": "required",
    "credentials.access_token": "does not match the 'minLength' rule of the schema",
    "credentials.shop_domain": "does not match the 'pattern' rule of the schema",
    "credentials.location_id": "does not match the 'maxLength' rule of the schema",
    "credentials.api_version": "does not match the 'type' rule of the schema",
  });

  it("maps credentials.<field> to that field, in terms of the field's own rules", () => {
    const found = serverErrors(invalid, fields);
    expect(found.credentials).toEqual({
      client_secret: { kind: "required" },
      access_token: { kind: "required" },
      shop_domain: { kind: "pattern", example: "my-brand.myshopify.com" },
      location_id: { kind: "maxLength", limit: 32 },
      api_version: { kind: "type", expected: "string" },
    });
    expect(found.other).toEqual([]);
    expect(found.name).toBeUndefined();
  });

  it("says each error in the user's language", () => {
    const found = serverErrors(invalid, fields).credentials;
    expect(fieldErrorText(found.client_secret, zh)).toBe("必填");
    expect(fieldErrorText(found.shop_domain, zh)).toBe("格式不正确，应类似 my-brand.myshopify.com");
    expect(fieldErrorText(found.shop_domain, en)).toBe(
      "Not in the expected format: it should look like my-brand.myshopify.com",
    );
    expect(fieldErrorText(found.location_id, zh)).toBe("最多 32 个字符");
  });

  it("puts a name conflict on the name field and the rest above the form", () => {
    const conflict = new ApiError(409, "conflict", "无法执行该请求。", {
      name: "a shopify connection named 'Shop' exists",
    });
    expect(serverErrors(conflict, fields).name).toEqual({ kind: "conflict" });
    expect(fieldErrorText({ kind: "conflict" }, zh)).toBe("已有同名的此类连接，请换一个名称");
    const sandbox = new ApiError(400, "invalid", "请求无效。", { sandbox: "shopify has no sandbox" });
    expect(serverErrors(sandbox, fields)).toEqual({
      credentials: {},
      settings: {},
      groups: {},
      other: ["shopify has no sandbox"],
    });
  });

  it("maps settings.<field> to the settings form and reads DRF's lists of messages", () => {
    const settingFields = fieldsOf({ properties: { channel: { type: "string", title: "Channel" } } });
    const found = serverErrors(
      new ApiError(400, "invalid", "", { "settings.channel": "required", name: ["This field is required."] }),
      fields,
      settingFields,
    );
    expect(found.settings).toEqual({ channel: { kind: "required" } });
    expect(found.name).toEqual({ kind: "server", message: "This field is required." });
  });

  it("finds nothing in an error that is not the API's", () => {
    expect(serverErrors(new Error("offline"), fields)).toEqual({
      credentials: {},
      settings: {},
      groups: {},
      other: [],
    });
  });
});

// The settings every sales-channel connection has (connectors/base.py PLATFORM_SETTINGS_SCHEMA).
const settingFields = fieldsOf(shopify.settings_schema);
const setting = (name: string) => settingFields.find((f) => f.name === name) as FieldSpec;

describe("typed settings drawn from settings_schema", () => {
  it("reads each property's type, whether it takes null, and its range", () => {
    expect(settingFields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ["channel", "string", false],
      ["poll_interval_seconds", "integer", false],
      ["stock_share_percent", "integer", false],
      ["stock_cap", "integer", true],
      ["stock_safety", "integer", false],
      ["demo_stream", "boolean", false],
    ]);
    expect(setting("poll_interval_seconds")).toMatchObject({ minimum: 30, maximum: 86400, default: "300" });
    expect(setting("stock_share_percent")).toMatchObject({ minimum: 0, maximum: 100, default: "100" });
    expect(setting("demo_stream").default).toBe(false);
    expect(closedSchema(shopify.settings_schema)).toBe(true);
    expect(closedSchema({ type: "object", properties: {} })).toBe(false);
  });

  it("reads a type it does not know, or none, as text", () => {
    const [plain, list, odd] = fieldsOf({
      properties: { plain: {}, list: { type: ["null", "number"] }, odd: { type: "array" } },
    });
    expect([plain.type, list.type, list.nullable, odd.type]).toEqual(["string", "number", true, "string"]);
  });

  it("starts from the defaults: numbers as typed text, a boolean default false unchecked", () => {
    expect(initialValues(settingFields)).toEqual({
      channel: "",
      poll_interval_seconds: "300",
      stock_share_percent: "100",
      stock_cap: "",
      stock_safety: "0",
      demo_stream: false,
    });
    expect(untouched(settingFields, initialValues(settingFields))).toBe(true);
    expect(untouched(settingFields, { ...initialValues(settingFields), demo_stream: true })).toBe(false);
  });

  it("edits what is stored, else the default; null stays empty", () => {
    expect(
      valuesFrom(settingFields, { stock_share_percent: 80, stock_cap: null, demo_stream: true, unknown: "x" }),
    ).toEqual({
      channel: "",
      poll_interval_seconds: "300",
      stock_share_percent: "80",
      stock_cap: "",
      stock_safety: "0",
      demo_stream: true,
    });
  });

  it("checks integers: a whole number, within minimum and maximum", () => {
    const share = setting("stock_share_percent");
    expect(validateField(share, "80")).toBeNull();
    expect(validateField(share, "0")).toBeNull();
    expect(validateField(share, "100")).toBeNull();
    expect(validateField(share, "101")).toEqual({ kind: "maximum", limit: 100 });
    expect(validateField(share, "-1")).toEqual({ kind: "minimum", limit: 0 });
    expect(validateField(share, "12.5")).toEqual({ kind: "type", expected: "integer" });
    expect(validateField(share, "abc")).toEqual({ kind: "type", expected: "integer" });
    expect(validateField(setting("poll_interval_seconds"), "29")).toEqual({ kind: "minimum", limit: 30 });
    expect(validateField(setting("poll_interval_seconds"), "86401")).toEqual({ kind: "maximum", limit: 86400 });
    expect(parseNumber({ ...share, type: "number" }, "12.5")).toBe(12.5);
    expect(parseNumber(share, " 42 ")).toBe(42);
    expect(parseNumber(share, "0x10")).toBeUndefined();
  });

  it("lets a nullable or optional number be left empty, and a boolean be either", () => {
    expect(validateField(setting("stock_cap"), "")).toBeNull();
    expect(validateField(setting("stock_cap"), "5")).toBeNull();
    expect(validateField({ ...setting("stock_share_percent"), required: true }, "")).toEqual({ kind: "required" });
    expect(validateField(setting("demo_stream"), false)).toBeNull();
    expect(validateField(setting("demo_stream"), true)).toBeNull();
  });

  it("checks an enum's values", () => {
    const [mode] = fieldsOf({ properties: { mode: { type: "string", enum: ["fast", "slow"] } } });
    expect(mode.options).toEqual(["fast", "slow"]);
    expect(validateField(mode, "slow")).toBeNull();
    expect(validateField(mode, "medium")).toEqual({ kind: "enum", options: ["fast", "slow"] });
  });

  it("sends numbers as numbers, booleans as true/false, leaves empty ones out", () => {
    expect(settingsPayload(settingFields, initialValues(settingFields))).toEqual({
      poll_interval_seconds: 300,
      stock_share_percent: 100,
      stock_safety: 0,
      demo_stream: false,
    });
    expect(
      settingsPayload(settingFields, {
        ...initialValues(settingFields),
        channel: "shopify-eu",
        stock_share_percent: "80",
        stock_cap: "25",
        demo_stream: true,
      }),
    ).toEqual({
      channel: "shopify-eu",
      poll_interval_seconds: 300,
      stock_share_percent: 80,
      stock_cap: 25,
      stock_safety: 0,
      demo_stream: true,
    });
  });

  it("sends only the keys the schema declares", () => {
    const values = { ...initialValues(settingFields), stock_share_percent: "80", legacy: "kept?" };
    expect(Object.keys(settingsPayload(settingFields, values))).not.toContain("legacy");
  });

  it("says a number field's range, and that a nullable one may stay empty", () => {
    expect(fieldRangeHint(setting("poll_interval_seconds"), zh)).toBe("取值 30–86400");
    expect(fieldRangeHint(setting("stock_cap"), zh)).toBe("取值 0–10000000；留空表示不设置");
    expect(fieldRangeHint(setting("stock_cap"), en)).toBe("From 0 to 10000000. Leave empty for none");
    expect(fieldRangeHint({ ...setting("stock_safety"), maximum: undefined }, en)).toBe("At least 0");
    expect(fieldRangeHint(setting("demo_stream"), zh)).toBeUndefined();
    expect(fieldRangeHint(setting("channel"), zh)).toBeUndefined();
  });
});

describe("the server's rule words, said on the field in the user's language", () => {
  const rule = (name: string) => `does not match the '${name}' rule of the schema`;
  const answer = new ApiError(400, "invalid", "请求无效。", {
    "settings.stock_share_percent": rule("maximum"),
    "settings.poll_interval_seconds": rule("minimum"),
    "settings.stock_safety": rule("type"),
    "settings.demo_stream": rule("type"),
    "settings.channel": rule("pattern"),
    "settings.stock_cap": rule("multipleOf"),
    settings: rule("additionalProperties"),
  });
  const found = serverErrors(answer, [], settingFields);

  it("puts each rule on its field with the field's own limits", () => {
    expect(found.settings).toEqual({
      stock_share_percent: { kind: "maximum", limit: 100 },
      poll_interval_seconds: { kind: "minimum", limit: 30 },
      stock_safety: { kind: "type", expected: "integer" },
      demo_stream: { kind: "type", expected: "boolean" },
      channel: { kind: "pattern", example: undefined },
      stock_cap: { kind: "server", message: rule("multipleOf") },
    });
    expect(found.groups).toEqual({ settings: { kind: "additionalProperties" } });
    expect(found.other).toEqual([]);
    expect(onForm(found)).toBe(true);
  });

  it("says them in Chinese and in English; an unknown rule as it came", () => {
    const say = (name: string, t: typeof zh) => fieldErrorText(found.settings[name], t);
    expect(say("stock_share_percent", zh)).toBe("不能大于 100");
    expect(say("stock_share_percent", en)).toBe("Must be at most 100");
    expect(say("poll_interval_seconds", zh)).toBe("不能小于 30");
    expect(say("poll_interval_seconds", en)).toBe("Must be at least 30");
    expect(say("stock_safety", zh)).toBe("请输入整数");
    expect(say("stock_safety", en)).toBe("Enter a whole number");
    expect(say("demo_stream", zh)).toBe("应为“是”或“否”");
    expect(say("channel", zh)).toBe("格式不正确");
    expect(say("stock_cap", zh)).toBe(rule("multipleOf"));
    expect(fieldErrorText(found.groups.settings!, zh)).toBe("含有此连接器不认识的项目，只能填写这里列出的字段");
    expect(fieldErrorText(found.groups.settings!, en)).toBe(
      "Holds entries this connector does not know: only the fields listed here are allowed",
    );
  });

  it("translates every rule the server names, with or without the field's limits", () => {
    const words = (name: string, field?: FieldSpec) =>
      fieldErrorText(
        serverErrors(
          new ApiError(400, "invalid", "", { "settings.x": name === "required" ? "required" : rule(name) }),
          [],
          field ? [{ ...field, name: "x" }] : [],
        ).settings.x,
        zh,
      );
    const [mode] = fieldsOf({ properties: { x: { type: "string", enum: ["fast", "slow"] } } });
    expect(words("required")).toBe("必填");
    expect(words("type")).toBe("值的类型不对");
    expect(words("minimum")).toBe("数值太小");
    expect(words("maximum")).toBe("数值太大");
    expect(words("enum")).toBe("不是可选的值");
    expect(words("enum", mode)).toBe("只能是以下之一：fast, slow");
    expect(words("pattern")).toBe("格式不正确");
    expect(words("minLength")).toBe("必填");
    expect(words("minLength", { ...setting("channel"), minLength: 3 })).toBe("至少 3 个字符");
    expect(words("maxLength")).toBe("太长了");
    expect(words("maxLength", { ...setting("channel"), maxLength: 32 })).toBe("最多 32 个字符");
    expect(words("additionalProperties")).toBe("含有此连接器不认识的项目，只能填写这里列出的字段");
    expect(words("const")).toBe(rule("const"));
  });

  it("puts credentials' required rule on its field", () => {
    const missing = serverErrors(new ApiError(400, "invalid", "", { "credentials.client_secret": "required" }), fields);
    expect(missing.credentials).toEqual({ client_secret: { kind: "required" } });
  });
});
