/**
 * An operator clears a risk hold: an order from a virtual number (170) arrives through the API and
 * the risk rules hold it; the operator finds it in the review queue (/app/risk) with the rule and
 * its evidence, approves it, and the order continues its flows — a flow on `risk.cleared` tags it.
 * Screenshots of each step go to test-artifacts/.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createFlow, login } from "./helpers";

test("an operator clears a risk hold and the order continues its flows", async ({ page, request }) => {
  test.setTimeout(180_000);
  const api = await apiAs(request, "operator");
  const stamp = Date.now();
  const tag = `风控放行${stamp % 100000}`;
  await createFlow(api, {
    format: "orderflow.flow/v1",
    name: `风控放行后打标 ${stamp}`,
    trigger: { type: "event", event: "risk.cleared" },
    nodes: [{ id: "mark", type: "action", action: "order.tag", params: { tag }, position: { x: 0, y: 0 } }],
    edges: [{ from: "trigger", to: "mark" }],
  });
  const order = await api.post(
    "orders/",
    {
      channel: "tmall",
      external_id: `E2E-RISK-${stamp}`,
      status: "paid",
      customer: { name: "风控测试", phone: "17012345678" },
      shipping_address: { province: "浙江省", city: "宁波市", district: "鄞州区", line: `风控路 ${stamp % 1000} 号` },
      lines: [{ sku: "TEA-0002", quantity: 1 }],
      client_ip: "203.0.113.77",
      device: "iPhone; MicroMessenger/8.0",
    },
    201,
  );
  expect(order.on_hold).toBe(true);

  await login(page, "operator");
  await page.goto("/app/risk");
  await expect(page.getByRole("heading", { name: "风控与自动审单", level: 1 })).toBeVisible();
  const card = page.getByTestId(`risk-review-${order.id}`);
  await expect(card).toContainText(order.number);
  await expect(card).toContainText("虚拟号段");
  await expect(card).toContainText("203.0.113.77");
  await expect(card).toContainText("170****5678");
  await page.screenshot({ path: `${ARTIFACTS}risk-review-queue.png`, fullPage: true });

  await card.getByLabel("备注").fill("已电话核实，老客户");
  await card.getByRole("button", { name: "通过并放行" }).click();
  await expect(page.getByRole("status")).toHaveText(`订单 ${order.number} 已放行，继续执行其流程。`);
  await expect(page.getByTestId(`risk-review-${order.id}`)).toHaveCount(0);
  await page.screenshot({ path: `${ARTIFACTS}risk-review-approved.png`, fullPage: true });

  // The order is released and its flow on risk.cleared ran (the worker runs it).
  await expect
    .poll(async () => {
      const stored = await api.get(`orders/${order.id}/`);
      return [stored.on_hold, stored.tags.includes(tag)];
    }, { timeout: 60_000 })
    .toEqual([false, true]);

  await page.getByRole("button", { name: "已通过" }).click();
  const decided = page.getByTestId(`risk-review-${order.id}`);
  await expect(decided).toContainText("已通过");
  await page.screenshot({ path: `${ARTIFACTS}risk-review-decided.png`, fullPage: true });
  // The rule's false-positive rate counts the approval.
  await page.getByRole("tab", { name: "风控规则" }).click();
  await expect(page.getByTestId("risk-rule-virtual_number")).toContainText("误报率");
});
