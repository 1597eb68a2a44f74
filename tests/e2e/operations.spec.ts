/**
 * What operators do with flows that already run: replay a dead execution, roll a flow back to an
 * earlier version, back-test a draft, and read what a flow put in their inbox. Each test arranges
 * its flows and orders through the API and checks the result in the browser.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createFlow, createPaidOrder, login, waitForExecutions } from "./helpers";

const stamp = () => `${Date.now()}`;

test("a dead execution shows on the flow list and is replayed from the executions page once stock is back", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const marker = `E2E-GIFT-${stamp()}`;
  // A gift of a tote that is out of stock (seed.py): one attempt, so the run dies at once.
  const flow = await createFlow(api, {
    format: "orderflow.flow/v1",
    name: `赠品（缺货重放）${marker}`,
    trigger: { type: "event", event: "order.paid" },
    nodes: [
      {
        id: "mine",
        type: "condition",
        rule: { and: [{ in: [marker, { var: "order.external_id" }] }, { "==": [{ var: "order.gift_for" }, null] }] },
        position: { x: 0, y: 0 },
      },
      { id: "gift", type: "action", action: "order.create_gift", params: { sku: "GIFT-TOTE", quantity: 1 }, retry: { max_attempts: 1, backoff_seconds: 0 }, position: { x: 300, y: 0 } },
    ],
    edges: [
      { from: "trigger", to: "mine" },
      { from: "mine", to: "gift", branch: "true" },
    ],
  });
  await createPaidOrder(api, "jd", "SNK-0001", marker);
  const dead = (await waitForExecutions(api, flow.id, (rows) => rows.some((row) => row.status === "dead"))).find((row) => row.status === "dead")!;

  // The flow list shows the failure, with one stats request for all its rows.
  await login(page, "operator");
  // The page after login is the flow list too: its own stats request must be over before counting.
  await page.waitForLoadState("networkidle");
  const asked: string[] = [];
  page.on("request", (r) => r.url().includes("/api/v1/executions/") && asked.push(new URL(r.url()).pathname));
  await page.goto("/app/flows");
  await expect(page.getByTestId(`flow-failures-${flow.id}`)).toHaveText("1");
  await expect(page.getByTestId(`flow-runs-${flow.id}`)).toHaveText("1");
  expect(asked).toEqual(["/api/v1/executions/stats/"]);

  // Stock arrives; the operator replays the dead run from the executions page.
  await api.post("inventory/adjust/", { sku: "GIFT-TOTE", warehouse: "sh-main", delta: 10, reason: "到货" });
  await page.goto(`/app/executions?flow=${flow.id}`);
  const row = page.getByTestId(`execution-row-${dead.id}`);
  await expect(row).toContainText("已死信");
  await row.getByRole("button", { name: "重放" }).click();
  // The row leaves "dead" at once (the button may show "queued again" only for a moment: a fast
  // worker can finish the replay before the list refreshes).
  await expect(row).not.toContainText("已死信");
  await expect(row.getByRole("button", { name: "重放" })).toHaveCount(0);

  const isReplayed = (r: { id: number; status: string }) => r.id === dead.id && r.status === "succeeded";
  const replayed = (await waitForExecutions(api, flow.id, (rows) => rows.some(isReplayed))).find(isReplayed)!;
  expect(replayed.steps.filter((s) => s.node_id === "gift").map((s) => [s.attempt, s.status])).toEqual([
    [1, "failed"],
    [2, "succeeded"],
  ]);
  await page.reload();
  await expect(row).toContainText("成功");
  await page.screenshot({ path: `${ARTIFACTS}execution-replayed.png` });
});

test("an operator rolls a flow back to its first version from the history tab", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const document = (title: string) => ({
    format: "orderflow.flow/v1",
    name: `回滚测试 ${title}`,
    trigger: { type: "manual" },
    nodes: [{ id: "tell", type: "action", action: "notify.inbox", params: { to_role: "supervisor", title }, position: { x: 0, y: 0 } }],
    edges: [{ from: "trigger", to: "tell" }],
  });
  const flow = await createFlow(api, document("第一版"), { enable: false });
  await api.patch(`flows/${flow.id}/`, { definition: document("第二版") });
  await api.post(`flows/${flow.id}/publish/`, { notes: "第二版" }, 201);

  await login(page, "operator");
  await page.goto(`/app/flows/${flow.id}`);
  await page.getByTestId("tab-history").click();
  const versions = page.locator(".versions > li");
  await expect(versions).toHaveCount(2);
  const first = versions.filter({ has: page.getByText("v1", { exact: true }) });
  await first.getByRole("button", { name: "与草稿对比" }).click();
  await expect(first.getByTestId("diff")).toContainText("tell");
  await first.getByRole("button", { name: "回滚到此版本" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已回滚，发布为 v3" })).toBeVisible();
  // The editor now holds the rolled-back draft, not the one it showed before.
  await expect(page.getByLabel("流程名称")).toHaveValue("回滚测试 第一版");

  const after = await api.get(`flows/${flow.id}/`);
  expect(after.current_version.number).toBe(3);
  expect(after.definition.nodes[0].params.title).toBe("第一版");
  await page.getByTestId("tab-history").click();
  await expect(page.locator(".versions > li")).toHaveCount(3);
  await expect(page.locator(".versions > li").filter({ hasText: "当前" })).toContainText("v3");
  await page.screenshot({ path: `${ARTIFACTS}rollback.png` });
});

test("a draft is back-tested over the last day's paid orders", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const run = stamp();
  await createPaidOrder(api, "tmall", "TEA-0001", `E2E-BT-TM-${run}`);
  await createPaidOrder(api, "jd", "SNK-0001", `E2E-BT-JD-${run}`);
  const flow = await createFlow(
    api,
    {
      format: "orderflow.flow/v1",
      name: "回测：天猫订单打标",
      trigger: { type: "event", event: "order.paid" },
      nodes: [
        { id: "tmall", type: "condition", rule: { "==": [{ var: "order.channel" }, "tmall"] }, position: { x: 0, y: 0 } },
        { id: "tag", type: "action", action: "order.tag", params: { tag: "tmall-bt" }, position: { x: 300, y: 0 } },
      ],
      edges: [
        { from: "trigger", to: "tmall" },
        { from: "tmall", to: "tag", branch: "true" },
      ],
    },
    { publish: false },
  );

  await login(page, "operator");
  await page.goto(`/app/flows/${flow.id}`);
  await page.getByTestId("tab-test").click();
  await page.getByLabel("最近天数").fill("1");
  await page.getByRole("button", { name: "开始回测" }).click();
  const result = page.getByTestId("backtest-result");
  await expect(result).toBeVisible();

  const expected = await api.post(`flows/${flow.id}/back-test/`, { days: 1 });
  expect(expected.events).toBeGreaterThanOrEqual(2);
  expect(expected.fired).toBeGreaterThanOrEqual(1);
  expect(expected.fired).toBeLessThan(expected.events);
  await expect(result).toContainText(`会触发 ${expected.fired} 次（共 ${expected.events} 个事件）`);
  await page.screenshot({ path: `${ARTIFACTS}backtest.png` });
});

test("a flow's notification reaches the inbox and the unread count goes down when it is read", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const title = `E2E 通知 ${stamp()}`;
  const flow = await createFlow(api, {
    format: "orderflow.flow/v1",
    name: "通知运营",
    trigger: { type: "manual" },
    nodes: [{ id: "tell", type: "action", action: "notify.inbox", params: { to_role: "operator", title, body: "请检查今天的异常订单" }, position: { x: 0, y: 0 } }],
    edges: [{ from: "trigger", to: "tell" }],
  });
  await api.post(`flows/${flow.id}/run/`, { input: {} }, 201);
  await waitForExecutions(api, flow.id, (rows) => rows.some((row) => row.status === "succeeded"));
  const unread: number = (await api.get("inbox/unread-count/")).unread;
  expect(unread).toBeGreaterThanOrEqual(1);

  await login(page, "operator");
  const badge = page.getByTestId("unread-badge");
  await expect(badge).toHaveText(String(unread));
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: /通知/ }).click();
  const item = page.locator("li.notification").filter({ hasText: title });
  await expect(item).toHaveClass(/unread/);
  await expect(item).toContainText("请检查今天的异常订单");
  await page.screenshot({ path: `${ARTIFACTS}inbox.png` });
  await item.getByRole("button", { name: "标为已读" }).click();

  await expect(item).toHaveClass(/\bread\b/);
  if (unread > 1) await expect(badge).toHaveText(String(unread - 1));
  else await expect(badge).toHaveCount(0);
  expect((await api.get("inbox/unread-count/")).unread).toBe(unread - 1);
});
