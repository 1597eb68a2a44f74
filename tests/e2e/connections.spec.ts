/**
 * The admin's Connections page: the catalog by kind, a Shopify sandbox connection added through
 * the form drawn from its credential and settings schemas (typed: numbers, a checkbox), tested,
 * and fed orders by the sandbox, which arrive as signed webhooks, are processed and become orders
 * of the "shopify" channel (seed.py); its settings changed in the same typed form, and the sandbox
 * shop polled at once ("Poll now"). Other roles read the same pages without a button that changes
 * anything.
 *
 * The first test uses the Shopify sandbox (the connector's simulator, `has_sandbox`, its `check`),
 * POST /api/v1/connections/{id}/sandbox/orders/ {count} and POST /api/v1/connections/{id}/poll/.
 */
import { expect, test, type Page } from "@playwright/test";
import { apiAs, ARTIFACTS, login, token } from "./helpers";

const stamp = () => `${Date.now()}`;

async function openConnections(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "连接" }).click();
  await expect(page.getByRole("heading", { name: "连接", level: 1 })).toBeVisible();
}

test("an admin adds a Shopify sandbox connection, tests it and sees the sandbox's orders processed", async ({ page, request }) => {
  const api = await apiAs(request, "admin");
  const name = `Shopify 沙箱 ${stamp()}`;

  await login(page, "admin");
  await openConnections(page);
  for (const kind of ["销售渠道", "支付", "仓储", "快递", "通知"]) {
    await expect(page.getByRole("heading", { name: kind, level: 2 })).toBeVisible();
  }
  const card = page.getByTestId("connector-shopify");
  await expect(card).toContainText("Shopify");
  await expect(card).toContainText("实时接收平台推送的订单（Webhook）");
  await expect(card).toContainText("支持沙箱试用");
  await page.screenshot({ path: `${ARTIFACTS}connections-catalog.png` });

  // The form, drawn from credentials_schema: the browser's checks speak first, on the fields.
  await card.getByRole("link", { name: "添加 Shopify 连接" }).click();
  await expect(page.getByRole("heading", { name: "添加 Shopify 连接" })).toBeVisible();
  await expect(page.getByLabel("Admin API 访问令牌")).toHaveAttribute("type", "password");
  await expect(page.getByLabel("应用密钥（用于 Webhook 签名）")).toHaveAttribute("type", "password");
  await page.getByLabel("店铺域名").fill("https://my-shop");
  await page.getByRole("button", { name: "保存连接" }).click();
  await expect(page.locator('[data-field="shop_domain"] .field-error')).toHaveText("格式不正确，应类似 my-brand.myshopify.com");
  await expect(page.locator('[data-field="access_token"] .field-error')).toHaveText("必填");
  await expect(page.locator("#connection-name-error")).toHaveText("必填");

  // The settings, drawn from settings_schema with their types: numbers start at their defaults,
  // the demo stream is a checkbox left unchecked; a number out of range is refused on its field.
  await expect(page.getByLabel("拉取间隔（秒）")).toHaveAttribute("type", "number");
  await expect(page.getByLabel("拉取间隔（秒）")).toHaveValue("300");
  await expect(page.getByLabel("可售库存分配比例（%）")).toHaveValue("100");
  await expect(page.getByLabel("每个 SKU 最多同步数量")).toHaveValue("");
  await expect(page.getByRole("checkbox", { name: "沙箱：每分钟推送一笔演示订单" })).not.toBeChecked();
  await page.getByLabel("拉取间隔（秒）").fill("10");
  await page.getByRole("button", { name: "保存连接" }).click();
  await expect(page.locator('[data-field="poll_interval_seconds"] .field-error')).toHaveText("不能小于 30");
  await page.getByLabel("拉取间隔（秒）").fill("300");

  // A sandbox connection: the credentials may stay empty, the server fills in test ones.
  await page.getByLabel("连接名称").fill(name);
  await page.getByLabel("店铺域名").fill("");
  await page.getByRole("switch", { name: /使用沙箱/ }).check();
  await expect(page.getByText("沙箱连接的凭据可以全部留空")).toBeVisible();
  await page.getByRole("button", { name: "保存连接" }).click();

  await expect(page).toHaveURL(/\/app\/connections\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("沙箱（本地模拟）")).toBeVisible();
  for (const credential of ["shop_domain", "access_token", "client_secret"]) {
    await expect(page.getByTestId(`credential-${credential}`)).toContainText("已设置");
  }
  await expect(page.getByLabel("Webhook 地址")).toHaveValue(new URL(`/hooks/shopify/${id}/`, page.url()).href);
  await expect(page.getByTestId("status-map")).toContainText("已支付");
  await expect(page.getByTestId("connection-health")).toContainText("未知");
  // The settings were sent typed, as the schema says (a number, not "300"; a boolean).
  const created = await api.get(`connections/${id}/`);
  expect(created.settings).toEqual({
    channel: "shopify",
    poll_interval_seconds: 300,
    stock_share_percent: 100,
    stock_safety: 0,
    demo_stream: false,
  });
  await expect(page.locator('[data-setting="stock_share_percent"]')).toHaveText("100");
  await expect(page.locator('[data-setting="demo_stream"]')).toHaveText("否");
  await page.screenshot({ path: `${ARTIFACTS}connection-added.png` });

  // Test connection: the sandbox answers like Shopify; the result is said in words, the health follows.
  await page.getByRole("button", { name: "测试连接" }).click();
  await expect(page.getByTestId("test-result")).toContainText("连接成功");
  await expect(page.getByTestId("connection-health")).toContainText("正常");

  // The sandbox makes an order and delivers it as a signed orders/create webhook.
  await page.getByRole("button", { name: "模拟推送订单" }).click();
  await expect(page.getByText(/沙箱已推送 1 个订单/)).toBeVisible();
  const deliveries = page.getByTestId("deliveries");
  const row = deliveries.locator("tbody tr").first();
  await expect(row).toContainText("已处理");
  await expect(row).toContainText("已验证");
  await row.getByRole("button", { name: "查看内容" }).click();
  await expect(page.getByTestId("delivery-body")).toContainText("line_items");
  await expect(deliveries.locator('[data-testid^="delivery-order-"]')).toContainText("已创建");
  await page.screenshot({ path: `${ARTIFACTS}connection-delivery.png` });

  // Replay: the stored bytes applied again as a new delivery; the order centre keeps one order.
  await row.getByRole("button", { name: "重放" }).click();
  await expect(page.getByText("已重放，结果：已处理")).toBeVisible();
  await expect(deliveries.locator("tbody tr").first()).toContainText("重放自 #");

  // The order is in the order centre, on the Shopify channel.
  const delivered = (await api.get(`connections/${id}/deliveries/`)).results;
  expect(delivered.map((d: { outcome: string; replay_of: number | null }) => [d.outcome, d.replay_of])).toEqual([
    ["processed", delivered[1].id],
    ["processed", null],
  ]);
  const [entry] = delivered[1].result.orders as { external_id: string; order: number; outcome: string }[];
  expect(entry.outcome).toBe("created");
  expect(delivered[0].result.orders[0].order).toBe(entry.order);
  const order = await api.get(`orders/${entry.order}/`);
  expect([order.channel, order.external_id]).toEqual(["shopify", entry.external_id]);
  const listed = (await api.get(`orders/?channel=shopify&q=${encodeURIComponent(entry.external_id)}`)).results;
  expect(listed.map((o: { id: number }) => o.id)).toContain(order.id);

  // Settings: the same typed form, with the current values; the server's limit is checked first.
  const settings = page.getByTestId("settings");
  await settings.getByRole("button", { name: "修改设置" }).click();
  const share = settings.getByLabel("可售库存分配比例（%）");
  await expect(share).toHaveValue("100");
  await expect(settings.getByLabel("拉取间隔（秒）")).toHaveValue("300");
  await share.fill("180");
  await settings.getByRole("button", { name: "保存" }).click();
  await expect(settings.locator('[data-field="stock_share_percent"] .field-error')).toHaveText("不能大于 100");
  await share.fill("80");
  await page.screenshot({ path: `${ARTIFACTS}connections-settings.png` });
  await settings.getByRole("button", { name: "保存" }).click();
  await expect(settings.getByText("设置已保存")).toBeVisible();
  await expect(settings.locator('[data-setting="stock_share_percent"]')).toHaveText("80");
  expect((await api.get(`connections/${id}/`)).settings).toEqual({
    channel: "shopify",
    poll_interval_seconds: 300,
    stock_share_percent: 80,
    stock_safety: 0,
    demo_stream: false,
  });
  await page.reload();
  await expect(page.locator('[data-setting="stock_share_percent"]')).toHaveText("80");

  // Poll now: the sandbox shop is asked for its orders; the run is said in words and listed. The
  // order came by webhook already, so the poll creates none (it may also find nothing new if the
  // worker's scheduled poll got there first): the page says what the run did, as the API has it.
  const polls = page.getByRole("region", { name: "定时拉取记录" });
  const result = polls.getByTestId("poll-result");
  await expect(async () => {
    await polls.getByRole("button", { name: "立即拉取" }).click();
    // A scheduled poll holding the connection answers 409 poll_running: said, then tried again.
    await expect(result).toContainText("拉取完成", { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  const [latest] = (await api.get(`connections/${id}/poll-runs/`)).results as {
    id: number;
    status: string;
    fetched: number;
    created: number;
    updated: number;
    ignored: number;
    errors: number;
  }[];
  expect([latest.status, latest.errors, latest.created]).toEqual(["succeeded", 0, 0]);
  await expect(result).toHaveText(
    latest.fetched === 0
      ? "拉取完成：平台没有新的或变更的订单。"
      : `拉取完成：取回 ${latest.fetched} 个订单，新建 0 个，更新 ${latest.updated} 个，忽略 ${latest.ignored} 个。`,
  );
  const run = polls.getByTestId(`poll-run-${latest.id}`);
  await expect(run).toContainText("成功");
  await expect(polls.getByTestId("poll-runs").locator("tbody tr").first()).toHaveAttribute("data-testid", `poll-run-${latest.id}`);
  await polls.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}connection-poll.png` });
});

test("a name already taken is refused on the name field, in words", async ({ page, request }) => {
  const api = await apiAs(request, "admin");
  const name = `Shopify 正式店 ${stamp()}`;
  const credentials = { shop_domain: "e2e-brand.myshopify.com", access_token: "shpat_e2e", client_secret: "e2e-secret" };
  await api.post("connections/", { connector: "shopify", name, credentials }, 201);

  await login(page, "admin");
  await page.goto("/app/connections/new/shopify");
  await page.getByLabel("连接名称").fill(name);
  await page.getByLabel("店铺域名").fill(credentials.shop_domain);
  await page.getByLabel("Admin API 访问令牌").fill(credentials.access_token);
  await page.getByLabel("应用密钥（用于 Webhook 签名）").fill(credentials.client_secret);
  await page.getByRole("button", { name: "保存连接" }).click();
  await expect(page.locator("#connection-name-error")).toHaveText("已有同名的此类连接，请换一个名称");
  await expect(page).toHaveURL(/\/app\/connections\/new\/shopify$/);
});

test("an admin replaces a secret, disables the connection and deletes it", async ({ page, request }) => {
  const api = await apiAs(request, "admin");
  const name = `Shopify 待删除 ${stamp()}`;
  const credentials = { shop_domain: "e2e-delete.myshopify.com", access_token: "shpat_old", client_secret: "e2e-secret" };
  const connection = await api.post("connections/", { connector: "shopify", name, credentials }, 201);

  await login(page, "admin");
  await page.goto(`/app/connections/${connection.id}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

  // A secret is replaced, never shown: the input is a password input and starts empty.
  await page.getByRole("button", { name: "更换 Admin API 访问令牌" }).click();
  const newToken = page.getByLabel("新的Admin API 访问令牌");
  await expect(newToken).toHaveAttribute("type", "password");
  await expect(newToken).toHaveValue("");
  await newToken.fill("shpat_new");
  await page.getByTestId("credential-access_token").getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("credential-access_token")).toContainText("已保存");

  // A value that breaks the schema's rule is refused on its field before anything is sent.
  await page.getByRole("button", { name: "更换 店铺域名" }).click();
  await page.getByLabel("新的店铺域名").fill("not a domain");
  await page.getByTestId("credential-shop_domain").getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("credential-shop_domain")).toContainText("格式不正确，应类似 my-brand.myshopify.com");
  await page.getByTestId("credential-shop_domain").getByRole("button", { name: "取消" }).click();

  await page.getByRole("button", { name: "停用" }).click();
  await expect(page.getByText("已停用：不再接收推送")).toBeVisible();
  expect((await api.get(`connections/${connection.id}/`)).enabled).toBe(false);

  await page.getByRole("button", { name: "删除连接" }).click();
  await expect(page.getByRole("alertdialog")).toContainText(`确定删除“${name}”吗？`);
  await page.getByRole("button", { name: "确认删除" }).click();
  await expect(page).toHaveURL(/\/app\/connections$/);
  await expect(page.getByText(name)).toHaveCount(0);
  const gone = await request.get(`/api/v1/connections/${connection.id}/`, {
    headers: { Authorization: `Token ${await token(request, "admin")}` },
  });
  expect(gone.status()).toBe(404);
});

test("a manager reads connections without a button that changes them", async ({ page, request }) => {
  const api = await apiAs(request, "admin");
  const name = `Shopify 只读 ${stamp()}`;
  const credentials = { shop_domain: "e2e-readonly.myshopify.com", access_token: "shpat_e2e", client_secret: "e2e-secret" };
  const connection = await api.post("connections/", { connector: "shopify", name, credentials }, 201);

  await login(page, "manager");
  await openConnections(page);
  await expect(page.getByText("只读：你的角色不能修改")).toBeVisible();
  await expect(page.getByRole("link", { name: /添加.*连接/ })).toHaveCount(0);
  const item = page.getByTestId(`connection-${connection.id}`);
  await expect(item).toContainText("未知");

  await item.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByTestId("credential-access_token")).toContainText("已设置");
  // The poll runs and the settings are there to read (the settings' defaults, marked so).
  await expect(page.getByRole("heading", { name: "定时拉取记录" })).toBeVisible();
  await expect(page.locator('[data-setting="stock_share_percent"]')).toHaveText("100（默认）");
  for (const button of ["测试连接", "停用", "删除连接", "模拟推送订单", "更换 Admin API 访问令牌", "修改设置", "立即拉取"]) {
    await expect(page.getByRole("button", { name: button })).toHaveCount(0);
  }
  await expect(page.getByRole("button", { name: "重放" })).toHaveCount(0);

  // The same page in English.
  await page.getByRole("button", { name: "用户菜单" }).click();
  await page.getByLabel("语言").selectOption("en");
  await expect(page.getByText("Read-only: your role cannot change this")).toBeVisible();
  await expect(page.getByTestId("credential-access_token")).toContainText("Admin API access token");
  await expect(page.getByTestId("status-map")).toContainText("Paid");
  await expect(page.getByTestId("connection-health")).toContainText("Unknown");
});
