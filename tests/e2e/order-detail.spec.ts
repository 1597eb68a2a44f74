/**
 * The order workspace: an operator reads on an order's status trace the tag a flow added (with the
 * flow's name and version) and an ignored out-of-order move; creates an order by hand, first
 * refused for short stock with the SKU named; and adjusts a stock row, then reads its ledger.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createFlow, createPaidOrder, login, waitForExecutions } from "./helpers";

const stamp = () => `${Date.now()}`;

test("an operator finds an order by the customer's phone, opens it and reads on its trace the tag a flow added", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const marker = `E2E-TRACE-${stamp()}`;
  const flowName = `付款打标 ${marker}`;
  // A published flow that tags paid orders (only this test's order: the condition names its marker).
  const flow = await createFlow(api, {
    format: "orderflow.flow/v1",
    name: flowName,
    trigger: { type: "event", event: "order.paid" },
    nodes: [
      { id: "mine", type: "condition", rule: { in: [marker, { var: "order.external_id" }] }, position: { x: 0, y: 0 } },
      { id: "tag", type: "action", action: "order.tag", params: { tag: "flow-vip" }, position: { x: 300, y: 0 } },
    ],
    edges: [
      { from: "trigger", to: "mine" },
      { from: "mine", to: "tag", branch: "true" },
    ],
  });
  const phone = `137${stamp().replace(/\D/g, "").slice(-8)}`;
  const order = await createPaidOrder(api, "tmall", "TEA-0002", marker, 1, phone);
  const [run] = await waitForExecutions(api, flow.id, (rows) => rows.some((row) => row.status === "succeeded"));
  // A late "pending payment" from the channel after "paid": recorded, not applied.
  await api.post(`orders/${order.id}/transition/`, { to: "pending_payment", reason: "迟到的推送" });

  // The operator finds it on the board by the customer's phone (shown masked) and opens it.
  await login(page, "operator");
  await page.goto("/app/orders");
  await page.getByRole("searchbox", { name: "搜索订单" }).fill(phone);
  await page.getByRole("button", { name: "搜索", exact: true }).click();
  const row = page.getByTestId(`order-row-${order.id}`);
  await expect(row).toContainText(`137****${phone.slice(-4)}`);
  await row.getByRole("link", { name: order.number }).click();
  await expect(page).toHaveURL(new RegExp(`/app/orders/${order.id}$`));
  await expect(page.getByRole("heading", { name: new RegExp(`订单 ${order.number}`) })).toBeVisible();
  await expect(page.getByTestId("order-tag-list")).toContainText("flow-vip");

  const tagged = page.locator('[data-testid="trace-entry"][data-action="tagged"]').filter({ hasText: "flow-vip" });
  await expect(tagged).toHaveCount(1);
  await expect(tagged.getByTestId("trace-origin")).toHaveText(`来自流程「${flowName}」v1`);
  await expect(tagged).toContainText("添加标签「flow-vip」");
  await expect(tagged.locator(".trace-time")).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
  const moved = page.locator('[data-testid="trace-entry"][data-action="transitioned"]');
  await expect(moved.first()).toContainText("状态 待付款 → 已支付");
  await expect(moved.first().getByTestId("trace-origin")).toHaveText("由 operator 手动");
  const ignored = page.locator('[data-testid="trace-entry"][data-action="ignored"]');
  await expect(ignored.getByTestId("trace-ignored")).toHaveText("已忽略");
  await expect(ignored).toContainText("请求变更为 待付款，当前已是 已支付，未应用（乱序事件）");
  await expect(page.getByTestId(`order-execution-${run.id}`)).toContainText(flowName);
  // The operator holds the order and writes a note: both land on the trace as by hand.
  await page.getByLabel("挂起原因").fill("地址待核实");
  await page.getByRole("button", { name: "挂起", exact: true }).click();
  await expect(page.getByRole("heading", { name: /已挂起/ })).toBeVisible();
  await page.getByLabel("添加备注").fill("客户来电改地址");
  await page.getByRole("button", { name: "添加备注" }).click();
  await expect(page.getByTestId("order-notes")).toContainText("客户来电改地址");
  await expect(page.locator('[data-testid="trace-entry"][data-action="held"]')).toContainText("挂起：地址待核实");
  // (Other specs' flows may note the same order: the operator's note is the one with its text.)
  const noted = page.locator('[data-testid="trace-entry"][data-action="noted"]').filter({ hasText: "客户来电改地址" });
  await expect(noted).toContainText("由 operator 手动");
  await page.getByTestId("order-trace").screenshot({ path: `${ARTIFACTS}order-detail-trace.png` });
  await page.screenshot({ path: `${ARTIFACTS}order-detail.png`, fullPage: true });

  // The trace's source opens the execution on the canvas.
  await tagged.getByRole("link", { name: `来自流程「${flowName}」v1` }).click();
  await expect(page).toHaveURL(new RegExp(`/app/flows/${flow.id}\\?execution=${run.id}$`));

  // The executions page names the order and links back to it.
  await page.goto(`/app/executions?flow=${flow.id}`);
  await page.getByTestId(`execution-order-${run.id}`).click();
  await expect(page).toHaveURL(new RegExp(`/app/orders/${order.id}$`));
  await expect(page.getByTestId("order-detail")).toBeVisible();
});

test("an order created by hand is first refused for short stock, naming the SKU, then created", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const [tea] = (await api.get("skus/?q=TEA-0002")).results as { sku: string; available: number }[];
  expect(tea.sku).toBe("TEA-0002");

  await login(page, "operator");
  await page.goto("/app/orders/new");
  await page.getByLabel("客户姓名").fill("王芳");
  await page.getByLabel("手机号").fill("13900139000");
  await page.getByLabel("省").fill("浙江省");
  await page.getByLabel("市", { exact: true }).fill("杭州市");
  await page.getByLabel("区/县").fill("西湖区");
  await page.getByLabel("详细地址").fill("文三路 90 号");
  await page.getByTestId("sku-search").fill("TEA-0002");
  await expect(page.getByTestId("sku-results")).toContainText(`可用 ${tea.available}`);
  await page.getByRole("button", { name: "加入 TEA-0002" }).click();
  await page.getByLabel("数量 TEA-0002").fill(String(tea.available + 1));
  await page.getByLabel("运费").fill("12.00");

  await page.getByTestId("create-submit").click();
  await expect(page.getByTestId("short-stock")).toHaveText(
    `库存不足：TEA-0002（安吉白茶 100g）需要 ${tea.available + 1} 件，只有 ${tea.available} 件可用。请减少数量或先补货，订单未创建。`,
  );
  await expect(page).toHaveURL(/\/app\/orders\/new$/);
  await page.screenshot({ path: `${ARTIFACTS}order-create-short-stock.png`, fullPage: true });

  await page.getByLabel("数量 TEA-0002").fill("2");
  await expect(page.getByTestId("create-total")).toHaveText("¥548.00");
  await page.getByTestId("create-submit").click();
  await expect(page).toHaveURL(/\/app\/orders\/\d+$/);
  await expect(page.getByTestId("order-detail")).toContainText("手工单");
  await expect(page.getByTestId("order-lines")).toContainText("TEA-0002");
  await expect(page.getByTestId("order-lines")).toContainText("¥548.00");
  await page.screenshot({ path: `${ARTIFACTS}order-create-done.png`, fullPage: true });
});

test("a stock keeper adjusts a stock row with a reason and reads its ledger", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const [before] = (await api.get("inventory/?sku=CUP-0001")).results as { available: number; on_hand: number }[];
  const reason = `盘点差异 ${stamp()}`;

  await login(page, "operator");
  await page.goto("/app/stock");
  await page.getByTestId("stock-search").fill("青瓷");
  const row = page.getByTestId("stock-row-CUP-0001-sh-main");
  await expect(row).toBeVisible();
  await expect(row).toContainText("上海主仓");
  await expect(row).toHaveAttribute("data-low", "false");
  await row.getByRole("button", { name: "调整" }).click();
  await page.getByLabel("数量变化（可为负数）").fill("-3");
  await expect(page.getByTestId("adjust-preview")).toHaveText(
    `调整后在库 ${before.on_hand - 3}，可用 ${before.available - 3}`,
  );
  await page.getByLabel("原因", { exact: true }).fill(reason);
  await page.getByRole("button", { name: "确认调整" }).click();
  await expect(page.getByTestId("stock-notice")).toContainText(`在库 ${before.on_hand - 3}`);
  await expect(row.getByTestId("stock-available")).toHaveText(String(before.available - 3));
  await expect(page.getByTestId("adjust-panel")).toHaveCount(0);

  // A safety stock above what is available makes the row low, highlighted.
  await row.getByRole("button", { name: "调整" }).click();
  await page.getByLabel("新的安全库存").fill(String(before.available));
  await page.getByLabel("调整安全库存的原因").fill("大促备货");
  await page.getByRole("button", { name: "保存安全库存" }).click();
  await expect(page.getByTestId("stock-notice")).toContainText(`安全库存 ${before.available}`);
  await expect(row).toHaveAttribute("data-low", "true");
  await expect(row.getByTestId("stock-available")).toContainText("低库存");

  await row.getByRole("button", { name: "流水" }).click();
  const entry = page.getByTestId("ledger-row").filter({ hasText: reason });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("调整");
  await expect(entry).toContainText("-3");
  await expect(entry).toContainText("operator");
  await page.screenshot({ path: `${ARTIFACTS}stock-ledger.png`, fullPage: true });

  // A stock file with a bad row imports nothing and names the row; the corrected file is applied.
  const header = "sku,warehouse,on_hand,safety_stock\n";
  await page.getByTestId("stock-import-file").setInputFiles({
    name: "stock.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`${header}CUP-0001,sh-main,600,5\nNOPE-404,sh-main,ten,0\n`),
  });
  await page.getByRole("button", { name: "上传并导入" }).click();
  const refused = page.getByTestId("stock-import-refused");
  await expect(refused).toContainText("文件有错误，未导入任何数据");
  await expect(page.getByTestId("stock-import-error-row-3").first()).toContainText("第 3 行");
  await expect(page.getByTestId("stock-import-errors")).toContainText("在库");
  await expect(page.getByTestId("stock-import-errors")).toContainText("不是整数：ten");
  await page.screenshot({ path: `${ARTIFACTS}stock-import-errors.png`, fullPage: true });
  expect((await api.get("inventory/?sku=CUP-0001")).results[0].on_hand).toBe(before.on_hand - 3);

  await page.getByTestId("stock-import-file").setInputFiles({
    name: "stock-fixed.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`${header}CUP-0001,sh-main,600,5\n`),
  });
  await page.getByRole("button", { name: "上传并导入" }).click();
  await expect(page.getByTestId("stock-import-done")).toHaveText("已导入 1 行：新建 0，变更 1，未变 0。");
  await expect(row.getByTestId("stock-available")).toHaveText(String(600 - (before.on_hand - before.available)));
  await expect(row).toHaveAttribute("data-low", "false");
});
