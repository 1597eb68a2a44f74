/**
 * The admin's Connections page: the catalog by kind, a Shopify sandbox connection added through
 * the form drawn from its credential schema, tested, and fed orders by the sandbox, which arrive as
 * signed webhooks, are processed and become orders of the "shopify" channel (seed.py). Other roles
 * read the same pages without a button that changes anything.
 *
 * The first test needs the Shopify sandbox (the connector's simulator, `has_sandbox`, its `check`)
 * and POST /api/v1/connections/{id}/sandbox/orders/ {count} → 201 {deliveries, external_ids}: the
 * lead engineer's backend work, merged with this spec.
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
  for (const button of ["测试连接", "停用", "删除连接", "模拟推送订单", "更换 Admin API 访问令牌"]) {
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
