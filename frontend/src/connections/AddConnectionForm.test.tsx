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
      ["credentials-shop_domain", "text"],
      ["credentials-access_token", "password"],
      ["credentials-client_secret", "password"],
      ["credentials-api_version", "text"],
      ["credentials-location_id", "text"],
      ["", "checkbox"],
    ]);
  });

  it("labels each field with its Chinese title and marks the required ones", () => {
    const markup = render(shopify);
    expect(markup).toContain('<label for="credentials-shop_domain"><span>店铺域名<span class="required-mark"');
    expect(markup).toContain('<label for="credentials-api_version"><span>API 版本</span></label>');
    expect(markup).toContain('placeholder="my-brand.myshopify.com"');
    expect(markup).toContain('value="2024-07"');
  });

  it("offers the sandbox switch only when the connector has a sandbox", () => {
    expect(render(shopify)).not.toContain('role="switch"');
    const markup = render({ ...shopify, has_sandbox: true });
    expect(markup).toContain('role="switch"');
    expect(markup).toContain("使用沙箱（本地模拟，不连接真实平台）");
  });
});
