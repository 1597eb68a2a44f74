/**
 * The order board: an operator finds an order by the customer's phone, sees it with the phone
 * masked (operators do not read phone numbers in full), and opens it.
 */
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { apiAs, ARTIFACTS, login } from "./helpers";

const address = { province: "浙江省", city: "杭州市", district: "西湖区", line: "文三路 90 号", postcode: "310000" };

test("an operator searches an order by the customer's phone, sees the phone masked, and opens it", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const stamp = `${Date.now()}`.slice(-8);
  const phone = `139${stamp}`;
  const masked = `139****${phone.slice(-4)}`;
  const order = await api.post(
    "orders/",
    { channel: "tmall", external_id: `E2E-BOARD-${stamp}`, customer: { name: "李娜", phone }, shipping_address: address, lines: [{ sku: "TEA-0002", quantity: 1 }] },
    201,
  );
  // Another customer's order, which the search must leave out.
  await api.post(
    "orders/",
    { channel: "jd", external_id: `E2E-BOARD-OTHER-${stamp}`, customer: { name: "赵强", phone: `138${stamp}` }, shipping_address: address, lines: [{ sku: "CUP-0001", quantity: 1 }] },
    201,
  );
  expect(order.customer.phone).toBe(masked);

  await login(page, "operator");
  await page.goto("/app/orders");
  await expect(page.getByRole("heading", { name: "订单看板" })).toBeVisible();
  await page.getByRole("searchbox", { name: "搜索订单" }).fill(phone);
  await page.getByRole("button", { name: "搜索", exact: true }).click();

  const rows = page.getByTestId("order-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  const row = page.getByTestId(`order-row-${order.id}`);
  await expect(row).toContainText(masked);
  await expect(row).toContainText("李娜");
  await expect(row).toContainText("天猫旗舰店");
  await expect(row).toContainText("待支付");
  await expect(page.getByText(phone)).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/app/orders\\?q=${phone}$`));
  await page.screenshot({ path: `${ARTIFACTS}order-board-search.png`, fullPage: true });

  // The export is the view: this one order, names not codes, the phone masked, with a BOM for Excel.
  const downloading = page.waitForEvent("download");
  await page.getByTestId("board-export").click();
  const csv = readFileSync(await (await downloading).path(), "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.trim().split("\r\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`${order.number},天猫旗舰店,E2E-BOARD-${stamp},待支付,李娜,${masked}`);
  expect(csv).not.toContain(phone);

  await row.getByRole("link", { name: order.number }).click();
  await expect(page).toHaveURL(new RegExp(`/app/orders/${order.id}$`));
});

test("an operator ships orders in bulk, reads each order's result, saves the view and opens it as a kanban", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const stamp = `${Date.now()}`.slice(-8);
  const tag = `e2e-${stamp}`;
  const order = (n: number, name: string) => ({
    channel: "jd",
    external_id: `E2E-BULK-${stamp}-${n}`,
    customer: { name, phone: `13${n}${stamp}` },
    shipping_address: address,
    lines: [{ sku: "SNK-0001", quantity: 1 }],
    tags: [tag],
  });
  const paid = await api.post("orders/", { ...order(1, "周杰"), status: "paid" }, 201);
  const unpaid = await api.post("orders/", order(2, "吴敏"), 201);

  await login(page, "operator");
  await page.goto(`/app/orders?tags=${tag}`);
  await expect(page.getByTestId("order-table").locator("tbody tr")).toHaveCount(2);
  await page.getByRole("checkbox", { name: "选择本页全部订单" }).check();
  await expect(page.getByText("已选 2 个订单")).toBeVisible();
  await page.getByRole("combobox", { name: "操作", exact: true }).selectOption({ label: "变更状态" });
  await page.getByRole("combobox", { name: "目标状态", exact: true }).selectOption({ label: "已发货" });
  await page.getByRole("textbox", { name: "原因", exact: true }).fill("仓库已发");
  await page.getByRole("button", { name: "应用" }).click();

  const result = page.getByTestId("bulk-result");
  await expect(result).toContainText("完成 1 个，无需变更 0 个，失败 1 个");
  await expect(result).toContainText(`${unpaid.number}: 当前状态不能变更到所选状态。`);
  await expect(page.getByTestId(`order-row-${paid.id}`)).toContainText("已发货");
  await expect(page.getByTestId(`order-row-${unpaid.id}`)).toContainText("待支付");

  await page.getByRole("button", { name: "另存为视图" }).click();
  await page.getByRole("textbox", { name: "视图名称", exact: true }).fill(`批量 ${stamp}`);
  await page.getByRole("button", { name: "保存", exact: true }).click();
  await expect(page.getByTestId("board-view-picker").locator("option:checked")).toHaveText(`批量 ${stamp}`);

  await page.getByRole("button", { name: "看板", exact: true }).click();
  await expect(page.getByTestId("kanban-column-shipped").getByTestId(`kanban-card-${paid.id}`)).toBeVisible();
  await expect(page.getByTestId("kanban-column-pending_payment").getByTestId(`kanban-card-${unpaid.id}`)).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}order-board-kanban.png`, fullPage: true });

  // The saved view brings the filter back on a fresh board.
  await page.goto("/app/orders");
  await page.getByTestId("board-view-picker").selectOption({ label: `批量 ${stamp}` });
  await expect(page.getByTestId("order-table").locator("tbody tr")).toHaveCount(2);
});

test("new orders and status changes announced live (the window's orderflow:live event) show on the board", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const stamp = `${Date.now()}`.slice(-8);
  const tag = `live-${stamp}`;
  const body = (n: number) => ({
    channel: "tmall",
    external_id: `E2E-LIVE-${stamp}-${n}`,
    customer: { name: "陈静", phone: `15${n}${stamp}` },
    shipping_address: address,
    lines: [{ sku: "TEA-0001", quantity: 1 }],
    tags: [tag],
  });
  const first = await api.post("orders/", body(1), 201);

  await login(page, "operator");
  await page.goto(`/app/orders?tags=${tag}`);
  const rows = page.getByTestId("order-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);

  // What the app's socket dispatches for every outbox event (contracts: "Live events in the browser").
  const announce = (detail: unknown) =>
    page.evaluate((d) => window.dispatchEvent(new CustomEvent("orderflow:live", { detail: d })), detail);
  const second = await api.post("orders/", body(2), 201);
  const live = (o: { id: number; number: string; total_amount: string }, status: string) => ({
    id: o.id,
    number: o.number,
    status,
    channel: "tmall",
    total_amount: o.total_amount,
  });
  await announce({ type: "order.created", id: 1, occurred_at: new Date().toISOString(), order: live(second, "pending_payment") });
  await expect(page.getByRole("status").filter({ hasText: "有 1 个新订单" })).toBeVisible();
  await page.getByRole("button", { name: "刷新显示" }).click();
  await expect(rows).toHaveCount(2);

  await api.post(`orders/${first.id}/transition/`, { to: "paid", reason: "e2e" });
  await announce({ type: "order.status_changed", id: 2, occurred_at: new Date().toISOString(), order: live(first, "paid") });
  await expect(page.getByTestId(`order-row-${first.id}`)).toContainText("已支付");
  await expect(page.getByTestId(`order-row-${second.id}`)).toContainText("待支付");
});
