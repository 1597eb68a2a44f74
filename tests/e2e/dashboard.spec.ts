/**
 * The KPI dashboard, live: a manager watching it sees an order placed elsewhere counted within
 * seconds — the order's commit queues a refresh of the rollups in the worker, the web process's
 * follower sees the refresh land and tells the page (kpis.changed), and the page fetches the KPIs.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createPaidOrder, login } from "./helpers";

test("a manager sees a new order arrive on the dashboard without reloading", async ({ page, request }) => {
  await login(page, "manager");
  await page.goto("/app/dashboards");
  await expect(page.getByRole("heading", { name: "数据看板" })).toBeVisible();
  await expect(page.getByTestId("dash-live")).toBeVisible(); // the live socket is up
  const orders = page.getByRole("region", { name: "范围内合计" }).locator("dd").first();
  await expect(orders).toBeVisible();
  const before = Number((await orders.innerText()).replace(/[^\d]/g, ""));
  await page.screenshot({ path: `${ARTIFACTS}dashboard-before.png`, fullPage: true });

  const api = await apiAs(request, "operator");
  await createPaidOrder(api, "tmall", "TEA-0001", `E2E-DASH-${Date.now()}`);

  await expect
    .poll(async () => Number((await orders.innerText()).replace(/[^\d]/g, "")), { timeout: 30_000 })
    .toBe(before + 1);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-live-order.png`, fullPage: true });

  // Each chart reads as a table too.
  await page.getByRole("button", { name: "以表格查看" }).first().click();
  await expect(page.getByRole("table").first()).toBeVisible();
});
