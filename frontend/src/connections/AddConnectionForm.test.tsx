import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Connector } from "../api/connections";
import { I18nProvider } from "../i18n/i18n";
import { AddConnectionForm } from "./AddConnectionPage";
import shopifyAnswer from "./fixtures/shopify-connector.json";

const shopify = shopifyAnswer as Connector;

const render = (connector: Connector) =>
  renderToStaticMarkup(
    <I18nProvider>
      <AddConnectionForm connector={connector} onCreated={() => undefined} />
    </I18nProvider>,
  );

/** Each input of the form as [id, type], in order. */
function inputs(markup: string): [string, string][] {
  return [...markup.matchAll(/<input\b([^>]*)>/g)].map(([, attributes]) => [
    /id="([^"]*)"/.exec(attributes)?.[1] ?? "",
    /type="([^"]*)"/.exec(attributes)?.[1] ?? "text",
  ]);
}

describe("the Add connection form drawn from credentials_schema", () => {
  it("has the name, a text input per plain field and a password input per secret", () => {
    expect(inputs(render(shopify))).toEqual([
      ["connection-name", "text"],
      // The sandbox switch (Shopify has a sandbox).
      ["", "checkbox"],
      ["credentials-shop_domain", "text"],
      ["credentials-access_token", "password"],
      ["credentials-client_secret", "password"],
      ["credentials-api_version", "text"],
      ["credentials-location_id", "text"],
      // settings_schema: text, integers as number inputs, a nullable integer, a boolean as a checkbox.
      ["settings-channel", "text"],
      ["settings-poll_interval_seconds", "number"],
      ["settings-stock_share_percent", "number"],
      ["settings-stock_cap", "number"],
      ["settings-stock_safety", "number"],
      ["settings-demo_stream", "checkbox"],
      ["", "checkbox"],
    ]);
  });

  it("shows the settings' defaults as initial values, ranges as hints, a false default unchecked", () => {
    const markup = render(shopify);
    expect(markup).toMatch(/id="settings-poll_interval_seconds"[^>]*min="30" max="86400"[^>]*value="300"/);
    expect(markup).toMatch(/id="settings-stock_share_percent"[^>]*value="100"/);
    expect(markup).toMatch(/id="settings-stock_cap"[^>]*value=""/);
    expect(markup).toContain('<p class="field-hint" id="settings-stock_cap-hint">取值 0–10000000；留空表示不设置</p>');
    expect(markup).toMatch(/<input id="settings-demo_stream" type="checkbox" name="demo_stream"\/>/);
    expect(markup).toContain("沙箱：每分钟推送一笔演示订单");
    const checked = render({
      ...shopify,
      settings_schema: { properties: { on: { type: "boolean", title: "On", default: true } } },
    });
    expect(checked).toMatch(/<input id="settings-on" type="checkbox" name="on" checked=""\/>/);
  });

  it("labels each field with its Chinese title and marks the required ones", () => {
    const markup = render(shopify);
    expect(markup).toContain('<label for="credentials-shop_domain"><span>店铺域名<span class="required-mark"');
    expect(markup).toContain('<label for="credentials-api_version"><span>API 版本</span></label>');
    expect(markup).toContain('placeholder="my-brand.myshopify.com"');
    expect(markup).toContain('value="2024-07"');
  });

  it("offers the sandbox switch only when the connector has a sandbox", () => {
    expect(render({ ...shopify, has_sandbox: false })).not.toContain('role="switch"');
    const markup = render(shopify);
    expect(markup).toContain('role="switch"');
    expect(markup).toContain("使用沙箱（本地模拟，不连接真实平台）");
  });
});
