/**
 * A refund from filing to money back: an operator files a refund for the seeded 299.00 order (paid
 * through the Alipay sandbox, seed.py) on the refund board, a supervisor and then finance approve
 * it, the worker's payout (every minute) pays it through the sandbox, and the customer's tracking
 * page says 已退款. Screenshots of each step go to test-artifacts/.
 */
import { expect, test, type Page } from "@playwright/test";
import { apiAs, ARTIFACTS, login } from "./helpers";

const ORDER = "E2E-REFUND-299";

async function switchUser(page: Page, username: string) {
  await page.context().clearCookies();
  await login(page, username);
  await page.goto("/app/refunds");
  await expect(page.getByRole("heading", { name: "售后退款", level: 1 })).toBeVisible();
}

async function openRequest(page: Page, id: number) {
  const row = page.getByTestId(`refund-row-${id}`);
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: `#${id}` }).click();
  return page.getByRole("complementary", { name: `退款申请 #${id}` });
}

test("an operator files a refund, a supervisor and finance approve it, the sandbox pays it, the customer sees 已退款", async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const operatorApi = await apiAs(request, "operator");
  const order = (await operatorApi.get(`orders/?q=${ORDER}`)).results[0] as { id: number; number: string };
  expect(order, "seed.py makes the paid 299.00 order").toBeTruthy();

  // The operator files it on the board; more than was paid is refused in words first.
  await switchUser(page, "operator");
  await page.getByRole("tab", { name: "发起退款" }).click();
  const form = page.getByRole("form", { name: "发起退款" });
  await form.getByLabel("订单（ID 或订单号）").fill(order.number);
  await form.getByRole("button", { name: "查找订单" }).click();
  await expect(form.getByTestId("refund-order-found")).toContainText("实付 ¥299.00");
  await form.getByLabel("退款金额（元）").fill("300");
  await form.getByLabel("退款原因").selectOption({ label: "质量问题" });
  await form.getByLabel("说明").fill("茶叶受潮结块");
  await form.getByRole("button", { name: "提交退款申请" }).click();
  await expect(form.getByRole("alert")).toHaveText(
    "退款总额将超过订单实付金额：实付 ¥299.00，已申请 ¥0.00。请减少退款金额。",
  );
  await form.getByLabel("退款金额（元）").fill("299");
  await form.getByRole("button", { name: "提交退款申请" }).click();
  await expect(form.getByRole("status")).toContainText("审批中");
  const filed = (await operatorApi.get(`refunds/?order=${order.id}`)).results[0] as {
    id: number;
    approvals_needed: string[];
  };
  expect(filed.approvals_needed).toEqual(["supervisor", "finance"]);
  await page.getByRole("tab", { name: "退款看板" }).click();
  const operatorRow = page.getByTestId(`refund-row-${filed.id}`);
  await expect(operatorRow).toContainText("¥299.00");
  await expect(operatorRow).toContainText("质量问题");
  await expect(operatorRow).toContainText("主管 → 财务");
  await expect(operatorRow.getByRole("link", { name: order.number })).toHaveAttribute("href", `/app/orders/${order.id}`);
  await page.screenshot({ path: `${ARTIFACTS}refund-filed.png`, fullPage: true });

  // The supervisor approves with a note.
  await switchUser(page, "supervisor");
  let panel = await openRequest(page, filed.id);
  await panel.getByLabel("审批意见").fill("照片已核实");
  await panel.getByRole("button", { name: "批准", exact: true }).click();
  await expect(panel).toContainText("照片已核实");
  await expect(page.getByTestId(`refund-row-${filed.id}`)).toContainText("财务");
  await expect(page.getByTestId(`refund-row-${filed.id}`)).not.toContainText("主管 →");
  await page.screenshot({ path: `${ARTIFACTS}refund-supervisor-approved.png`, fullPage: true });

  // Finance gives the last approval: the request is approved, for the payout to pay.
  await switchUser(page, "finance");
  panel = await openRequest(page, filed.id);
  await panel.getByRole("button", { name: "批准", exact: true }).click();
  await expect(panel.getByText("已批准", { exact: true }).or(panel.getByText("已退款", { exact: true }))).toBeVisible();
  await expect(panel).toContainText("规则 v1");
  await page.screenshot({ path: `${ARTIFACTS}refund-finance-approved.png`, fullPage: true });

  // The worker's payout runs every minute and pays it through the Alipay sandbox.
  const financeApi = await apiAs(request, "finance");
  await expect
    .poll(async () => (await financeApi.get(`refunds/${filed.id}/`)).status, { timeout: 200_000, intervals: [2000, 5000] })
    .toBe("refunded");
  await page.reload();
  panel = await openRequest(page, filed.id);
  await expect(panel.getByText("已退款", { exact: true })).toBeVisible();

  // The customer's tracking page: no login, progress to 已退款, nothing else of theirs.
  const detail = await financeApi.get(`refunds/${filed.id}/`);
  await page.context().clearCookies();
  await page.goto(detail.tracking_url);
  await expect(page.getByTestId("refund-status")).toHaveText("已退款");
  await expect(page.getByText("退款已完成")).toBeVisible();
  await expect(page.getByText(`订单 ****${order.number.slice(-4)}`)).toBeVisible();
  const html = await page.content();
  for (const secret of ["陈静", "13612345299", "漕溪北路", order.number]) expect(html).not.toContain(secret);
  await page.screenshot({ path: `${ARTIFACTS}refund-tracking-refunded.png`, fullPage: true });

  // A link altered by one character shows nothing.
  await page.goto(`${detail.tracking_url.replace(/.\/$/, (end: string) => (end[0] === "a" ? "b" : "a") + "/")}`);
  await expect(page.getByRole("alert")).toContainText("链接无效");
});

test("an admin changes the approval policy: special SKUs and a route, the trusted-customer rule in the condition builder", async ({ page, request }) => {
  const before = (await (await apiAs(request, "admin")).get("refunds/policy/")) as { version: number };
  await login(page, "admin");
  await page.goto("/app/refunds");
  await page.getByRole("tab", { name: "审批规则" }).click();
  const editor = page.getByRole("region", { name: "审批规则" });
  await expect(editor).toContainText(`当前版本 v${before.version}`);
  await expect(editor.locator(".condition-builder")).toBeVisible();
  await editor.getByLabel("特殊商品 SKU").fill("GIFT-TOTE");
  await editor.getByRole("combobox", { name: "价格补差" }).selectOption({ label: "客服" });
  await editor.getByLabel("修改说明").fill("赠品需人工审批");
  await editor.getByRole("button", { name: "保存为新版本" }).click();
  await expect(editor.getByText(`已保存为 v${before.version + 1}。`)).toBeVisible();
  const saved = await (await apiAs(request, "admin")).get("refunds/policy/");
  expect(saved.document.special_skus).toEqual(["GIFT-TOTE"]);
  expect(saved.document.routes.price_adjustment).toBe("service");
  await page.screenshot({ path: `${ARTIFACTS}refund-policy.png`, fullPage: true });
});

// A real 1×1 PNG: the server keeps evidence by what its bytes are.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

test("an operator sends the refund link, the customer files with a photo, the board shows it with its ticket", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const operatorApi = await apiAs(request, "operator");
  const external = `E2E-REFUND-LINK-${Date.now()}`;
  const order = (await operatorApi.post(
    "orders/",
    {
      channel: "tmall",
      external_id: external,
      status: "paid",
      customer: { name: "林晓", phone: "13700001159" },
      shipping_address: { province: "浙江省", city: "宁波市", district: "鄞州区", line: "天童南路 8 号" },
      lines: [{ sku: "CUP-0001", quantity: 2 }],
    },
    201,
  )) as { id: number; number: string };

  // The operator makes the link from the refund board (发送退款链接).
  await switchUser(page, "operator");
  await page.getByRole("tab", { name: "发起退款" }).click();
  const form = page.getByRole("form", { name: "发起退款" });
  await form.getByLabel("订单（ID 或订单号）").fill(order.number);
  await form.getByRole("button", { name: "查找订单" }).click();
  await expect(form.getByTestId("refund-order-found")).toBeVisible();
  await form.getByRole("button", { name: "发送退款链接" }).click();
  const link = await form.getByTestId("refund-filing-link").inputValue();
  expect(link).toContain("/t/refund/file/");
  await page.screenshot({ path: `${ARTIFACTS}refund-link-issued.png`, fullPage: true });

  // The customer, not logged in, picks one cup, a reason, a note and a photo.
  await page.context().clearCookies();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "申请退款" })).toBeVisible();
  await expect(page.getByText(`订单 ****${order.number.slice(-4)}`)).toBeVisible();
  const html = await page.content();
  for (const secret of ["林晓", "13700001159", "天童南路", order.number]) expect(html).not.toContain(secret);
  await page.getByLabel(/青瓷茶杯两只装/).fill("1");
  await page.getByLabel("退款原因").selectOption({ label: "运输破损" });
  await page.getByLabel("补充说明（选填）").fill("杯口有裂纹");
  await page.getByLabel(/凭证图片/).setInputFiles({ name: "裂纹.png", mimeType: "image/png", buffer: PNG });
  await page.screenshot({ path: `${ARTIFACTS}refund-link-form.png`, fullPage: true });
  await page.getByRole("button", { name: "提交退款申请" }).click();

  // It lands on the request's tracking page, with the photo.
  await expect(page.getByTestId("filed-notice")).toBeVisible();
  await expect(page.getByTestId("refund-status")).toHaveText("处理中");
  await expect(page.getByText("¥159.00")).toBeVisible();
  const photo = page.getByTestId("evidence-image");
  await expect(photo).toBeVisible();
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await page.screenshot({ path: `${ARTIFACTS}refund-link-filed.png`, fullPage: true });

  // A tampered link shows a clear page and nothing of the order.
  await page.goto(link.replace(/.\/$/, (end: string) => (end[0] === "a" ? "b" : "a") + "/"));
  await expect(page.getByRole("alert")).toContainText("链接无效");

  // The board shows the request with its ticket number and the customer's photo.
  const filed = (await operatorApi.get(`refunds/?order=${order.id}`)).results[0] as {
    id: number;
    ticket_number: string;
    requested_by: string;
  };
  expect(filed.ticket_number).toMatch(/^TK\d{6}$/);
  await switchUser(page, "operator");
  await expect(page.getByTestId(`refund-row-${filed.id}`)).toContainText(filed.ticket_number);
  const panel = await openRequest(page, filed.id);
  await expect(panel.getByTestId("refund-ticket-number")).toHaveText(filed.ticket_number);
  const staffPhoto = panel.getByTestId("refund-evidence-image");
  await expect(staffPhoto).toBeVisible();
  expect(await staffPhoto.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await expect(panel).toContainText("裂纹.png");
  await page.screenshot({ path: `${ARTIFACTS}refund-link-on-board.png`, fullPage: true });
});
