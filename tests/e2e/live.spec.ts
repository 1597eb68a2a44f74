/**
 * Live updates in the browser: the page's one socket (served by daphne beside gunicorn, as
 * `python -m orderflow.run` starts them) carries the orders the API creates and the inbox
 * changes a flow makes in the worker — without a reload, long before any poll would.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createFlow, createPaidOrder, login } from "./helpers";

type Live = { type: string; order?: { number: string; status: string; channel: string } };

test("a new order and a flow's notification reach the open page live", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const marker = `E2E-LIVE-${Date.now()}`;
  await createFlow(api, {
    format: "orderflow.flow/v1",
    name: `付款即通知 ${marker}`,
    trigger: { type: "event", event: "order.paid" },
    nodes: [
      { id: "mine", type: "condition", rule: { in: [marker, { var: "order.external_id" }] }, position: { x: 0, y: 0 } },
      {
        id: "tell",
        type: "action",
        action: "notify.inbox",
        params: { to_role: "operator", title: "新付款订单 {{ order.number }}", body: "" },
        position: { x: 300, y: 0 },
      },
    ],
    edges: [
      { from: "trigger", to: "mine" },
      { from: "mine", to: "tell", branch: "true" },
    ],
  });
  await api.post("inbox/read-all/", {});

  // The badge's count is asked for when the Shell mounts, and again once the live socket is open.
  let badgeAsked = 0;
  page.on("response", (r) => r.url().includes("/api/v1/inbox/unread-count/") && badgeAsked++);
  await login(page, "operator");
  await expect.poll(() => badgeAsked).toBeGreaterThanOrEqual(2);
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { __live: unknown[] }).__live = seen;
    window.addEventListener("orderflow:live", (event) => seen.push((event as CustomEvent).detail));
  });
  await expect(page.getByTestId("unread-badge")).toHaveCount(0);

  const order = await createPaidOrder(api, "tmall", "TEA-0001", marker);

  // The order's events arrive as window events with the order's summary ...
  await expect
    .poll(
      async () =>
        (await page.evaluate(() => (window as unknown as { __live: Live[] }).__live)).filter(
          (m) => m.order?.number === order.number,
        ).map((m) => [m.type, m.order?.status]),
      { timeout: 15_000 },
    )
    .toEqual(expect.arrayContaining([["order.created", "pending_payment"], ["order.paid", "paid"]]));
  // ... and the notification the flow wrote in the worker lights the inbox badge, well before the 30 s poll.
  await expect(page.getByTestId("unread-badge")).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: `${ARTIFACTS}live-inbox-badge.png` });
});

test("the task monitor is open to managers and closed to operators", async ({ page }) => {
  await login(page, "manager");
  await page.goto("/app/monitor");
  await expect(page.getByRole("heading", { name: "任务监控" })).toBeVisible();
  await expect(page.getByText("实时")).toBeVisible(); // the live socket is up
  await page.screenshot({ path: `${ARTIFACTS}task-monitor.png`, fullPage: true });

  await page.getByRole("button", { name: "用户菜单" }).click();
  await page.getByRole("menuitem", { name: "退出登录" }).click();
  await login(page, "operator");
  await page.goto("/app/monitor");
  await expect(page.getByText("任务监控仅对管理员、经理和主管开放。")).toBeVisible();
});
