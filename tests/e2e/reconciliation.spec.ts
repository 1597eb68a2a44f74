/**
 * Daily reconciliation in the browser: finance opens yesterday's report (Asia/Shanghai), reconciles
 * the day — the Alipay sandbox's bill downloaded (the GBK 业务明细 ZIP) and matched — finds the payment
 * seed.py planted in the bill with no order behind it, and resolves that difference with a reason;
 * its finance ticket is closed with the same reason. A manager reads the report but cannot resolve.
 * Screenshots of each step go to test-artifacts/.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, login } from "./helpers";

test("finance reconciles yesterday, finds the console payment and resolves it with a reason", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await login(page, "finance");
  await page
    .getByRole("navigation", { name: "主导航" })
    .getByRole("link", { name: "对账" })
    .click();
  await expect(
    page.getByRole("heading", { name: "每日对账", level: 1 }),
  ).toBeVisible();
  const day = await page.getByTestId("recon-day").inputValue();

  await page.getByTestId("recon-run").click();
  const differences = page.getByTestId("recon-differences");
  await expect(differences).toBeVisible();
  const row = differences.locator("tr", { hasText: "ALI-CONSOLE-E2E" });
  await expect(row).toContainText("缺少订单");
  await expect(row).toContainText("支付宝");
  await expect(row).toContainText("58.50");
  await expect(page.getByText(/支付宝：\d+ 行/)).toBeVisible();
  await expect(page.getByTestId("recon-categories")).toContainText(
    "缺少订单: 1",
  );
  await page.screenshot({
    path: `${ARTIFACTS}reconciliation-report.png`,
    fullPage: true,
  });

  await row.getByRole("button", { name: "处理", exact: true }).click();
  await row.getByLabel("处理原因").fill("店铺后台补款，已与客服核实");
  await page.screenshot({
    path: `${ARTIFACTS}reconciliation-resolving.png`,
    fullPage: true,
  });
  await row.getByRole("button", { name: "确认处理" }).click();
  await expect(row).toContainText("已处理");
  await expect(row).toContainText("finance：店铺后台补款，已与客服核实");
  await page.screenshot({
    path: `${ARTIFACTS}reconciliation-resolved.png`,
    fullPage: true,
  });

  // The work item: its ticket in the finance queue is closed with the reason, and the day says so.
  const financeApi = await apiAs(request, "finance");
  const report = await financeApi.get<{
    differences: { out_trade_no: string; status: string; ticket_id: number }[];
  }>(`reconciliation/days/${day}/`);
  const difference = report.differences.find(
    (d) => d.out_trade_no === "ALI-CONSOLE-E2E",
  );
  expect(difference?.status).toBe("resolved");
  const ticket = await financeApi.get<{
    queue: string;
    status: string;
    resolution: string;
  }>(`tickets/${difference?.ticket_id}/`);
  expect([ticket.queue, ticket.status, ticket.resolution]).toEqual([
    "finance",
    "closed",
    "店铺后台补款，已与客服核实",
  ]);

  // Each bill source says it is complete; no statement is uploaded yet for money paid offline.
  await expect(page.getByTestId("recon-source-alipay")).toHaveAttribute(
    "data-state",
    "complete",
  );
  await expect(page.getByTestId("recon-statements")).toContainText(
    "尚未上传对账单",
  );

  // Finance uploads the day's bank statement: a bad row is named and nothing is stored; the
  // corrected file is stored, the day re-run, its credit of no order found.
  await page.getByTestId("recon-upload-account").fill("ICBC-E2E");
  await page.getByTestId("recon-upload-file").setInputFiles({
    name: "icbc.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`date,amount,reference,serial\n${day},12元,X,E2E-1\n`),
  });
  await page.getByRole("button", { name: "上传", exact: true }).click();
  await expect(page.getByTestId("recon-upload-errors")).toContainText(
    "第 2 行 amount",
  );
  await expect(page.getByTestId("recon-statements")).toContainText(
    "尚未上传对账单",
  );
  await page.getByTestId("recon-upload-file").setInputFiles({
    name: "icbc.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      `date,amount,reference,memo,serial\n${day},66.00,,对公转账 无订单号,E2E-1\n`,
    ),
  });
  await page.getByRole("button", { name: "上传", exact: true }).click();
  await expect(page.getByTestId("recon-upload-note")).toContainText(
    "已上传 1 笔入账",
  );
  await expect(page.getByTestId("recon-statements")).toContainText(
    "银行流水 ICBC-E2E：1 笔入账，共 ¥66.00",
  );
  await expect(differences.locator("tr", { hasText: "E2E-1" })).toContainText(
    "缺少订单",
  );
  await page.screenshot({
    path: `${ARTIFACTS}reconciliation-statement.png`,
    fullPage: true,
  });

  // A manager reads the same report, in English too, with no way to resolve or run.
  await page.context().clearCookies();
  await login(page, "manager");
  await page.goto(`/app/reconciliation?day=${day}`);
  await expect(page.getByTestId("recon-differences")).toContainText(
    "ALI-CONSOLE-E2E",
  );
  await expect(page.getByTestId("recon-run")).toHaveCount(0);
  await expect(page.getByTestId("recon-upload")).toHaveCount(0);
  await expect(
    page.getByRole("button", { name: "处理", exact: true }),
  ).toHaveCount(0);
  await page.screenshot({
    path: `${ARTIFACTS}reconciliation-manager.png`,
    fullPage: true,
  });
});
