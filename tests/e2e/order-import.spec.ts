/**
 * Import order file (issue 15): an operator reaches the page from Connections, picks the JD channel
 * (seed.py: `jd`, 京东自营) by its name, uploads a small JD-style CSV export and follows the import —
 * run by the django-q2 worker in the background — to 100 % with its counts; then uploads a file
 * with one bad row and sees that row's number and reason, and that nothing was created. The
 * channel's column mapping is the built-in JD one; clearing a required column is refused on its field.
 *
 * The files are fixtures/jd-orders.csv (2 orders, 3 rows, SKUs seed.py stocks) and
 * fixtures/jd-orders-bad-row.csv (row 3's quantity is "两件").
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, login } from "./helpers";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

test("an operator imports a JD order export, then sees a file with a bad row refused by row number", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  await login(page, "operator");
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "连接" }).click();
  await page.getByRole("link", { name: "导入订单文件" }).click();
  await expect(page.getByRole("heading", { name: "导入订单文件", level: 1 })).toBeVisible();

  // The channel by its name; its mapping is JD's built-in one.
  await page.getByLabel("渠道").selectOption({ label: "京东" });
  await expect(page.getByLabel("商品编码")).toHaveValue("商家SKU");
  await expect(page.getByText("当前是内置映射，尚未保存过。")).toBeVisible();

  // A good file: progress to 100 %, 2 orders created.
  await page.locator("#import-file").setInputFiles(fixture("jd-orders.csv"));
  await page.getByRole("button", { name: "上传并导入" }).click();
  const outcome = page.getByTestId("import-outcome");
  await expect(outcome.getByTestId("import-status")).toHaveText("已完成", { timeout: 60_000 });
  await expect(outcome.getByRole("progressbar", { name: "导入进度" })).toHaveAttribute("aria-valuenow", "100");
  await expect(outcome).toContainText("100 %");
  await expect(outcome.getByTestId("import-counts")).toHaveText("导入完成：新建 2 单，更新 0 单，未变 0 单，失败 0 单。");
  await expect(outcome).toContainText("文件共 3 行、2 个订单。");
  const recent = page.getByTestId("recent-imports");
  await expect(recent.getByRole("row").filter({ hasText: "jd-orders.csv" })).toContainText("京东自营");
  const imported = await api.get("orders/?channel=jd&page_size=100");
  const ids = (imported.results as { external_id: string }[]).map((order) => order.external_id);
  expect(ids).toEqual(expect.arrayContaining(["JD-E2E-1001", "JD-E2E-1002"]));
  await page.screenshot({ path: `${ARTIFACTS}order-import.png`, fullPage: true });

  // A file with one bad row: its number and reason, nothing created.
  await page.locator("#import-file").setInputFiles(fixture("jd-orders-bad-row.csv"));
  await page.getByRole("button", { name: "上传并导入" }).click();
  await expect(outcome.getByTestId("import-status")).toHaveText("失败", { timeout: 60_000 });
  await expect(outcome).toContainText("订单文件有错误，什么都没有导入。");
  await expect(outcome.getByTestId("import-counts")).toContainText("新建 0 单");
  const bad = outcome.getByTestId("import-error-row-3");
  await expect(bad).toContainText("第 3 行");
  await expect(bad).toContainText("数量");
  await expect(bad).toContainText("不是 1 到 100000 之间的整数：'两件'");
  await expect(outcome.getByTestId("import-errors").locator("tbody tr")).toHaveCount(1);
  await page.screenshot({ path: `${ARTIFACTS}order-import-refused.png`, fullPage: true });
  const after = await api.get("orders/?channel=jd&page_size=100");
  const afterIds = (after.results as { external_id: string }[]).map((order) => order.external_id);
  expect(afterIds).not.toContain("JD-E2E-2001");
  expect(afterIds).not.toContain("JD-E2E-2002");

  // The mapping: a required field left blank is refused by the server, on that field.
  await page.getByLabel("商品编码").fill(" ");
  await page.getByRole("button", { name: "保存映射" }).click();
  await expect(page.locator("#mapping-sku-error")).toHaveText("必填：填写存放它的列标题");
  await expect(page.getByText("映射已保存。")).toHaveCount(0);
});
