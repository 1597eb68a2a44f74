import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, connect, createPaidOrder, login, node, sourceHandle, targetHandle, token } from "./helpers";

test("an operator builds the VIP flow by dragging and filling forms, tests, publishes it, and follows both executions", async ({ page, request }) => {
  await login(page, "operator");

  // A new, empty flow (named in the list, or on the first screen of an empty list).
  await page.goto("/app/flows");
  await expect(page.locator("table.table, [data-testid=flows-first-screen]").first()).toBeVisible();
  if (!(await page.getByTestId("flows-first-screen").isVisible())) await page.getByRole("button", { name: "新建流程" }).click();
  await page.getByTestId("new-flow-name").fill("新流程");
  await page.getByTestId("new-flow-create").click();
  await expect(page.getByTestId("node-trigger")).toBeVisible();
  const flowId = Number(new URL(page.url()).pathname.split("/").filter(Boolean).pop());
  await page.getByLabel("流程名称").fill("天猫大单 VIP");

  // Trigger: dragged from the palette, then the event chosen in its form.
  const canvas = page.getByTestId("canvas");
  await page.getByTestId("palette-trigger-event").dragTo(canvas, { targetPosition: { x: 120, y: 120 } });
  await page.getByTestId("trigger-event").selectOption("order.paid");
  await expect(page.getByTestId("node-trigger")).toContainText("订单已支付");

  // Zoom out so the nodes we drop have room.
  for (let i = 0; i < 3; i += 1) await page.getByRole("button", { name: "缩小" }).click();

  // Condition: channel is tmall AND total at least 599.
  await page.getByTestId("palette-condition").dragTo(canvas, { targetPosition: { x: 120, y: 560 } });
  const panel = page.getByTestId("node-panel");
  await panel.getByRole("button", { name: "+ 添加条件", exact: true }).click();
  await panel.getByTestId("rule-0").getByRole("button", { name: "字段" }).click();
  await page.locator('[data-field="order.channel"]').click();
  await panel.getByTestId("rule-0").getByTestId("rule-value").locator(".picker-button").click();
  await panel.getByTestId("rule-0").getByRole("option").filter({ hasText: "天猫" }).getByRole("button").first().click();
  await panel.getByRole("button", { name: "+ 添加条件", exact: true }).click();
  await panel.getByTestId("rule-1").getByRole("button", { name: "字段" }).click();
  await page.locator('[data-field="order.total_amount"]').click();
  await panel.getByTestId("rule-1").getByLabel("运算符").selectOption(">=");
  await panel.getByTestId("rule-1").getByLabel("值").fill("599");
  await expect(panel.getByTestId("condition-preview")).toContainText("结果：是");

  // Actions: tag vip, open a warehouse ticket (its title left out for now), add a note.
  await page.getByTestId("palette-action-order.tag").dragTo(canvas, { targetPosition: { x: 380, y: 120 } });
  await panel.getByTestId("picker-root_tag").locator(".picker-button").click();
  await panel.getByTestId("picker-root_tag").getByRole("searchbox").fill("vip");
  await panel.getByTestId("picker-root_tag").getByRole("button", { name: /vip/ }).first().click();

  await page.getByTestId("palette-action-ticket.open").dragTo(canvas, { targetPosition: { x: 620, y: 120 } });
  await panel.getByTestId("picker-root_queue").locator(".picker-button").click();
  await panel.getByTestId("picker-root_queue").getByRole("button", { name: "仓库", exact: true }).click();
  await panel.getByTestId("picker-root_priority").locator(".picker-button").click();
  await panel.getByTestId("picker-root_priority").getByRole("button", { name: "高", exact: true }).click();

  await page.getByTestId("palette-action-order.note").dragTo(canvas, { targetPosition: { x: 380, y: 560 } });
  await panel.locator("#root_text").fill("普通订单 ");
  await panel.getByRole("button", { name: "插入变量" }).click();
  await page.getByLabel("搜索字段").fill("订单号");
  await page.getByTestId("var-order.number").click();
  // The variable shows as a labelled chip; the template syntax is stored underneath.
  await expect(panel.locator("#root_text")).toHaveValue("普通订单 「订单号」");

  // Edges, by dragging from handle to handle: yes → tag → ticket, no → note.
  await connect(page, sourceHandle(page, "trigger"), targetHandle(page, "condition"));
  await connect(page, sourceHandle(page, "condition", "true"), targetHandle(page, "order_tag"));
  await connect(page, sourceHandle(page, "order_tag"), targetHandle(page, "ticket_open"));
  await connect(page, sourceHandle(page, "condition", "false"), targetHandle(page, "order_note"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);
  await page.getByRole("button", { name: "自动布局" }).click();

  // The server says the ticket needs a title: the node turns red, the problem is listed.
  await expect(page.getByTestId("save-state")).toHaveText("已保存");
  await expect(node(page, "ticket_open").locator(".flow-node")).toHaveClass(/has-problems/);
  await page.getByTestId("tab-problems").click();
  const problem = page.getByTestId("problems-list").getByRole("button").filter({ hasText: "创建工单" });
  await expect(problem).toContainText("标题");
  await page.screenshot({ path: `${ARTIFACTS}canvas-with-problem.png` });

  // Clicking the problem selects the node; filling the title fixes it.
  await problem.click();
  await expect(panel).toContainText("创建工单");
  await panel.locator("#root_title").fill("VIP 订单 {{ order.number }} 优先发货");
  await expect(page.getByTestId("save-state")).toHaveText("已保存");
  await expect(node(page, "ticket_open").locator(".flow-node")).not.toHaveClass(/has-problems/);
  await page.getByTestId("tab-problems").click();
  await expect(page.getByText("没有问题，可以发布")).toBeVisible();
  await page.getByRole("button", { name: "适应画布" }).click();
  await page.screenshot({ path: `${ARTIFACTS}canvas.png` });

  // Test-run the draft on the sample event (a paid Tmall order of 699): the trace is on the canvas.
  await page.getByTestId("tab-test").click();
  await page.getByRole("radio", { name: "示例事件" }).check();
  await page.getByTestId("test-run").click();
  await expect(page.getByTestId("test-result")).toBeVisible();
  await expect(node(page, "condition")).toContainText("是");
  await expect(node(page, "order_tag").locator(".flow-node")).toHaveClass(/ran/);
  await expect(node(page, "ticket_open").locator(".flow-node")).toHaveClass(/ran/);
  await expect(node(page, "order_note").locator(".flow-node")).toHaveClass(/not-run/);
  await page.screenshot({ path: `${ARTIFACTS}canvas-test-run.png` });

  // Publish with a note; the first publish switches the flow on (the default answer).
  await page.getByRole("button", { name: "发布", exact: true }).click();
  await page.getByTestId("publish-note").fill("首个版本：天猫大单加 VIP 并通知仓库");
  await page.getByRole("button", { name: "发布此版本" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已发布 v1" })).toBeVisible();
  await expect(page.getByTestId("toggle-enabled")).toHaveText("停用");

  // Pay a matching and a non-matching order through the API.
  const auth = await token(request, "operator");
  const operatorApi = await apiAs(request, "operator");
  const big = await createPaidOrder(operatorApi, "tmall", "TEA-0001", `E2E-BIG-${Date.now()}`);
  const small = await createPaidOrder(operatorApi, "jd", "SNK-0001", `E2E-SMALL-${Date.now()}`);

  const headers = { Authorization: `Token ${auth}` };
  let executions: { id: number; status: string; steps: { node_id: string }[] }[] = [];
  await expect
    .poll(
      async () => {
        const answer = await request.get(`/api/v1/executions/?flow=${flowId}`, { headers });
        executions = (await answer.json()).results;
        return executions.filter((e) => e.status === "succeeded").length;
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] },
    )
    .toBe(2);
  const tagged = await (await request.get(`/api/v1/orders/${big.id}/`, { headers })).json();
  expect(tagged.tags).toContain("vip");
  const plain = await (await request.get(`/api/v1/orders/${small.id}/`, { headers })).json();
  expect(plain.tags).not.toContain("vip");

  // Both executions, on the canvas: the path each took and every step's result.
  await page.goto(`/app/executions?flow=${flowId}`);
  await expect(page.locator("tbody tr")).toHaveCount(2);
  await page.screenshot({ path: `${ARTIFACTS}executions-list.png` });
  const byPath = new Map(executions.map((e) => [e.steps.some((s) => s.node_id === "order_tag") ? "vip" : "note", e.id]));

  await page.goto(`/app/flows/${flowId}?execution=${byPath.get("vip")}`);
  const steps = page.getByTestId("execution-panel").getByTestId("steps");
  // Steps by their titles.
  await expect(steps).toContainText("订单金额 ≥ 599");
  await expect(steps).toContainText("vip");
  await expect(steps).toContainText("创建工单：仓库");
  await expect(node(page, "condition")).toContainText("是");
  await expect(node(page, "order_tag").locator(".flow-node")).toHaveClass(/ran/);
  await expect(node(page, "order_note").locator(".flow-node")).toHaveClass(/not-run/);
  await steps.locator("details").first().click();
  await page.screenshot({ path: `${ARTIFACTS}execution-vip.png` });

  await page.goto(`/app/flows/${flowId}?execution=${byPath.get("note")}`);
  await expect(node(page, "condition")).toContainText("否");
  await expect(node(page, "order_note").locator(".flow-node")).toHaveClass(/ran/);
  await expect(node(page, "order_tag").locator(".flow-node")).toHaveClass(/not-run/);
  await expect(page.getByTestId("execution-panel").getByTestId("steps")).toContainText("普通订单");
  await page.screenshot({ path: `${ARTIFACTS}execution-note.png` });

  // The ticket the flow opened is in the warehouse queue: take it, comment, close it.
  await page.getByRole("link", { name: "工单" }).click();
  await page.getByLabel("队列").selectOption("warehouse");
  await page.getByRole("button", { name: new RegExp(`VIP 订单 ${big.number}`) }).click();
  await page.getByRole("button", { name: "分配给我" }).click();
  await expect(page.locator(".detail")).toContainText("operator");
  await page.getByLabel("添加评论").fill("已通知仓库优先发货");
  await page.getByRole("button", { name: "评论", exact: true }).click();
  await expect(page.locator(".comments")).toContainText("已通知仓库优先发货");
  await page.getByRole("button", { name: "关闭工单" }).click();
  await expect(page.locator(".detail")).toContainText("已关闭");
});

test("a manager sees flows but no edit buttons", async ({ page }) => {
  await login(page, "manager");
  await expect(page.getByRole("heading", { name: "流程" })).toBeVisible();
  await expect(page.getByRole("button", { name: "新建流程" })).toHaveCount(0);
  await page.locator(".flow-name").first().click();
  await expect(page.getByTestId("node-trigger")).toBeVisible();
  await expect(page.getByRole("button", { name: "发布", exact: true })).toHaveCount(0);
  await expect(page.locator(".palette")).toHaveCount(0);
});
