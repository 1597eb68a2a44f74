/**
 * An operator clears a risk hold: an order from a virtual number (170) arrives through the API and
 * the risk rules hold it; the operator finds it in the review queue (/app/risk) with the rule and
 * its evidence, approves it, and the order continues its flows — a flow on `risk.cleared` tags it.
 * An admin writes a new rule in the condition builder (with the checks before sending and the
 * server's refusal of a duplicate key shown on the field), an order hitting it is held with the
 * rule and its evidence, and once the admin switches the rule off the next such order is not.
 * Screenshots of each step go to test-artifacts/.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, buyerStreet, createFlow, login } from "./helpers";

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
  // The IP is personal data: an operator reads it masked, like the phone.
  await expect(card).toContainText("203.0.113.*");
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

test("an admin creates a risk rule in the builder and an order hitting it is held", async ({ page, request }) => {
  test.setTimeout(180_000);
  const admin = await apiAs(request, "admin");
  const stamp = Date.now();
  const token = `E2E-BOT-${stamp}`;
  const nameZh = `脚本设备 ${stamp % 100000}`;
  const nameEn = `Scripted device ${stamp % 100000}`;
  const key = `scripted_device_${stamp % 100000}`;

  await login(page, "admin");
  await page.goto("/app/risk");
  await page.getByRole("tab", { name: "风控规则" }).click();
  await page.getByRole("button", { name: "新建规则" }).click();
  const form = page.getByTestId("risk-rule-new-form");
  await expect(form.getByTestId("risk-rule-action")).toHaveText("挂起订单，进入风险审核队列（附规则与证据）");

  // Nothing filled in: each part says what it needs, and nothing is sent.
  await form.getByRole("button", { name: "保存" }).click();
  await expect(form.getByTestId("rule-problem-name_zh")).toContainText("请填写名称。");
  await expect(form.getByTestId("rule-problem-condition")).toContainText("请至少添加一个条件");

  await form.getByLabel("中文名称").fill(nameZh);
  await form.getByLabel("英文名称").fill(nameEn);
  await expect(form.getByLabel("规则标识")).toHaveValue(key);
  // The condition: 下单设备 contains the token, in the flows' builder with the risk fields by name.
  await form.getByRole("button", { name: "+ 添加条件", exact: true }).click();
  const rule0 = form.getByTestId("rule-0");
  await rule0.getByRole("button", { name: "字段" }).click();
  await page.locator('[data-field="order.device"]').click();
  await rule0.getByLabel("运算符").selectOption("contains");
  await rule0.getByLabel("值").fill(token);
  await page.screenshot({ path: `${ARTIFACTS}risk-rule-new.png`, fullPage: true });
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("risk-rules-answer")).toHaveText(`规则「${nameZh}」已创建并生效。`);
  const card = page.getByTestId(`risk-rule-${key}`);
  await expect(card).toContainText(nameZh);

  // The same key again: the server refuses, and the refusal shows on the key, in words.
  await page.getByRole("button", { name: "新建规则" }).click();
  const again = page.getByTestId("risk-rule-new-form");
  await again.getByLabel("中文名称").fill(nameZh);
  await again.getByLabel("英文名称").fill(nameEn);
  await again.getByRole("button", { name: "+ 添加条件", exact: true }).click();
  await again.getByTestId("rule-0").getByRole("button", { name: "字段" }).click();
  await page.locator('[data-field="order.device"]').click();
  await again.getByTestId("rule-0").getByLabel("值").fill(token);
  await again.getByRole("button", { name: "保存" }).click();
  await expect(again.getByTestId("rule-problem-key")).toContainText("规则标识");
  await expect(again.getByTestId("rule-problem-key")).toContainText(key);
  await page.screenshot({ path: `${ARTIFACTS}risk-rule-refused.png`, fullPage: true });
  await again.getByRole("button", { name: "取消" }).click();

  const rules = await admin.get("risk/rules/");
  const created = rules.find((r: { key: string }) => r.key === key);
  expect(created.condition).toEqual({ and: [{ in: [token, { var: "order.device" }] }] });

  // An order from that device arrives: held, with the rule and its evidence in the review queue.
  const order = await admin.post(
    "orders/",
    {
      channel: "tmall",
      external_id: `E2E-RULE-${stamp}`,
      customer: { name: "规则测试", phone: "13900139000" },
      shipping_address: { province: "浙江省", city: "杭州市", district: "西湖区", line: buyerStreet("13900139000") },
      lines: [{ sku: "TEA-0002", quantity: 1 }],
      device: `${token} Chrome/120`,
    },
    201,
  );
  expect(order.on_hold).toBe(true);
  expect(order.hold_reason).toContain(key);
  await page.getByRole("tab", { name: "风险审核" }).click();
  const review = page.getByTestId(`risk-review-${order.id}`);
  await expect(review).toContainText(nameZh);
  await expect(review).toContainText(`下单设备: ${token} Chrome/120`);
  await page.screenshot({ path: `${ARTIFACTS}risk-rule-hit.png`, fullPage: true });

  // Switched off in the UI: the next order from that device goes through.
  await page.getByRole("tab", { name: "风控规则" }).click();
  // The switch follows the server's answer (a controlled checkbox): click, then wait for it.
  const enabled = page.getByTestId(`risk-rule-${key}`).getByLabel("启用");
  await enabled.click();
  await expect(enabled).not.toBeChecked();
  await expect(page.getByTestId("risk-rules-answer")).toHaveText(`规则「${nameZh}」已保存。`);
  const next = await admin.post(
    "orders/",
    {
      channel: "tmall",
      external_id: `E2E-RULE-${stamp}-2`,
      customer: { name: "规则测试", phone: "13900139000" },
      shipping_address: { province: "浙江省", city: "杭州市", district: "西湖区", line: buyerStreet("13900139000") },
      lines: [{ sku: "TEA-0002", quantity: 1 }],
      device: `${token} Chrome/120`,
    },
    201,
  );
  expect(next.on_hold).toBe(false);
});
