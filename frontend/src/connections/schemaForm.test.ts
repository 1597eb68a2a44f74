import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Connector } from "../api/connections";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import shopifyAnswer from "./fixtures/shopify-connector.json";
import {
  credentialsPayload,
  fieldErrorText,
  fieldsOf,
  fieldTitle,
  initialValues,
  serverErrors,
  validateField,
  validateFields,
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
      api_version: { kind: "server", message: "does not match the 'type' rule of the schema" },
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
    expect(serverErrors(sandbox, fields)).toEqual({ credentials: {}, settings: {}, other: ["shopify has no sandbox"] });
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
    expect(serverErrors(new Error("offline"), fields)).toEqual({ credentials: {}, settings: {}, other: [] });
  });
});
