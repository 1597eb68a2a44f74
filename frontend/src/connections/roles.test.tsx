/**
 * Who sees which buttons on the Connections pages: admins add, test, enable, replace credentials,
 * send sandbox orders, replay and delete; operators, supervisors, finance and managers read only.
 * The pages are rendered to HTML as a signed-in user with that role would get them.
 */
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Connection, Connector, Delivery } from "../api/connections";
import { CONNECTION_ADMINS, hasRole } from "../app/auth";
import { I18nProvider } from "../i18n/i18n";
import { ConnectionDetail, DeliveryRow } from "./ConnectionDetailPage";
import { Catalog } from "./ConnectionsPage";
import shopifyAnswer from "./fixtures/shopify-connector.json";

const shopify = shopifyAnswer as Connector;

const connection: Connection = {
  id: 7,
  connector: "shopify",
  name: "品牌旗舰店",
  settings: {},
  sandbox: true,
  enabled: true,
  created_at: "2026-03-01T08:00:00Z",
  updated_at: "2026-03-01T08:00:00Z",
  credentials_set: ["access_token", "client_secret", "shop_domain"],
  health: {
    status: "failing",
    last_success_at: null,
    last_error_at: "2026-03-01T09:30:00Z",
    last_error: "401 Unauthorized: invalid API key",
    consecutive_failures: 2,
  },
  webhook_url: "/hooks/shopify/7/",
};

const delivery: Delivery = {
  id: 31,
  connection: 7,
  received_at: "2026-03-01T09:00:00Z",
  topic: "orders/create",
  headers: {},
  body: '{"id": 1}',
  verified: true,
  dedup_key: "evt-1",
  outcome: "processed",
  error: "",
  result: { orders: [] },
  replay_of: null,
};

const html = (element: ReactElement) => renderToStaticMarkup(<I18nProvider>{element}</I18nProvider>);

/** The visible labels of the page's buttons and button-like links. */
function buttons(markup: string): string[] {
  const found = [...markup.matchAll(/<(button|a)\b([^>]*)>(.*?)<\/\1>/g)];
  return found
    .filter(([, tag, attributes]) => tag === "button" || attributes.includes('class="button'))
    .map(([, , , inner]) => inner.replace(/<[^>]+>/g, "").trim());
}

const ROLES = ["operator", "supervisor", "finance", "manager", "admin"] as const;

describe("who may change connections", () => {
  it("is the admin alone", () => {
    expect(ROLES.filter((role) => hasRole({ roles: [role] }, CONNECTION_ADMINS))).toEqual(["admin"]);
    expect(hasRole({ roles: ["manager", "admin"] }, CONNECTION_ADMINS)).toBe(true);
    expect(hasRole(null, CONNECTION_ADMINS)).toBe(false);
  });
});

describe("the catalog", () => {
  const render = (canManage: boolean) =>
    html(<Catalog connectors={[shopify]} connections={[connection]} canManage={canManage} />);

  it("shows an admin the add button on each connector", () => {
    expect(buttons(render(true))).toEqual(["添加连接"]);
  });

  it.each(ROLES.filter((role) => role !== "admin"))("shows a %s no add button", (role) => {
    const markup = render(hasRole({ roles: [role] }, CONNECTION_ADMINS));
    expect(buttons(markup)).toEqual([]);
    // Everything else is there to read.
    expect(markup).toContain("品牌旗舰店");
    expect(markup).toContain("异常");
  });

  it("groups connectors by kind in words, with what they add and their connections' health", () => {
    const markup = render(false);
    for (const heading of ["销售渠道", "支付", "仓储", "快递", "通知"]) expect(markup).toContain(`>${heading}</h2>`);
    expect(markup).toContain("实时接收平台推送的订单（Webhook）");
    expect(markup).toContain("支持沙箱试用");
    expect(markup).toContain("401 Unauthorized: invalid API key");
  });
});

describe("a connection's page", () => {
  const render = (canManage: boolean, changes: Partial<Connection> = {}) =>
    html(
      <ConnectionDetail
        connection={{ ...connection, ...changes }}
        connector={shopify}
        canManage={canManage}
        onChanged={() => undefined}
        onDeleted={() => undefined}
      />,
    );

  it("gives an admin test, disable, sandbox orders, credential and settings changes, poll now and delete", () => {
    expect(buttons(render(true))).toEqual([
      "测试连接",
      "停用",
      "复制",
      "模拟推送订单",
      // Three credentials are set (change them), two are not (set them).
      "更换",
      "更换",
      "更换",
      "设置",
      "设置",
      "修改设置",
      "刷新",
      "立即拉取",
      "删除连接",
    ]);
  });

  it("offers poll now only where the connector polls", () => {
    const webhookOnly = { ...shopify, features: ["webhook"] };
    const markup = html(
      <ConnectionDetail
        connection={connection}
        connector={webhookOnly}
        canManage={true}
        onChanged={() => undefined}
        onDeleted={() => undefined}
      />,
    );
    expect(buttons(markup)).not.toContain("立即拉取");
    expect(markup).not.toContain("定时拉取记录");
    expect(buttons(render(true))).toContain("立即拉取");
  });

  it("shows the stored settings in words, the defaults marked as such", () => {
    const markup = render(false, { settings: { stock_share_percent: 80, stock_cap: null, demo_stream: true } });
    const shown = (name: string) => new RegExp(`<dd data-setting="${name}">(.*?)</dd>`).exec(markup)?.[1];
    expect(shown("stock_share_percent")).toBe("80");
    expect(shown("stock_cap")).toBe("不设置");
    expect(shown("demo_stream")).toBe("是");
    expect(shown("poll_interval_seconds")).toBe('<span class="muted">300（默认）</span>');
    expect(shown("channel")).toBe('<span class="muted">—</span>');
  });

  it("offers sandbox orders only on a sandbox connection", () => {
    expect(buttons(render(true, { sandbox: false }))).not.toContain("模拟推送订单");
  });

  it.each(ROLES.filter((role) => role !== "admin"))(
    "gives a %s only the copy and refresh buttons: no poll now, no settings change",
    (role) => {
      const markup = render(hasRole({ roles: [role] }, CONNECTION_ADMINS));
      expect(buttons(markup)).toEqual(["复制", "刷新"]);
      expect(markup).toContain("只读：你的角色不能修改");
      // The poll runs are there to read.
      expect(markup).toContain("定时拉取记录");
    },
  );

  it("never shows a credential's value, only whether it is set", () => {
    const markup = render(true, { credentials_set: ["shop_domain"] });
    expect(markup.match(/已设置/g)).toHaveLength(1);
    expect(markup.match(/未设置/g)).toHaveLength(4);
  });

  it("shows the status mapping by Orderflow's names", () => {
    const markup = render(false);
    expect(markup).toContain("financial_status = paid</code></td><td>已支付</td>");
    expect(markup).toContain("cancelled_at = set</code></td><td>已取消</td>");
    expect(markup).not.toContain("<td>paid</td>");
  });
});

describe("a delivery", () => {
  const render = (canManage: boolean, changes: Partial<Delivery> = {}) =>
    html(
      <table>
        <tbody>
          <DeliveryRow delivery={{ ...delivery, ...changes }} canManage={canManage} onReplayed={() => undefined} />
        </tbody>
      </table>,
    );

  it("says its outcome in words and offers an admin replay", () => {
    const markup = render(true);
    expect(markup).toContain("已处理");
    expect(buttons(markup)).toEqual(["查看内容", "重放"]);
  });

  it("cannot be replayed by another role, nor when it was never verified", () => {
    expect(buttons(render(false))).toEqual(["查看内容"]);
    expect(buttons(render(true, { verified: false, outcome: "rejected" }))).toEqual(["查看内容"]);
  });
});
