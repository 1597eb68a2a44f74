import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const PASSWORD = process.env.E2E_PASSWORD ?? "e2e-password-1";
export const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

export async function login(page: Page, username: string): Promise<void> {
  await page.goto("/app/");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeVisible();
}

export async function token(request: APIRequestContext, username: string): Promise<string> {
  const answer = await request.post("/api/v1/auth/token/", { data: { username, password: PASSWORD } });
  expect(answer.status()).toBe(200);
  return (await answer.json()).token as string;
}

/** Drags from one handle to another with real mouse moves (React Flow connects on pointer events). */
export async function connect(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

export function node(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

export function sourceHandle(page: Page, id: string, branch?: "true" | "false"): Locator {
  const handles = node(page, id).locator(".react-flow__handle.source");
  return branch ? node(page, id).locator(`.react-flow__handle.source[data-handleid="${branch}"]`) : handles.first();
}

export function targetHandle(page: Page, id: string): Locator {
  return node(page, id).locator(".react-flow__handle.target");
}

/** The API as one user, for arranging what a browser test then looks at. */
export interface Api {
  get: <T = any>(path: string) => Promise<T>;
  /** `expected` is the exact status of success: 200 unless the call creates something (201). */
  post: <T = any>(path: string, data?: unknown, expected?: number) => Promise<T>;
  patch: <T = any>(path: string, data: unknown) => Promise<T>;
}

export async function apiAs(request: APIRequestContext, username: string): Promise<Api> {
  const headers = { Authorization: `Token ${await token(request, username)}` };
  const url = (path: string) => (path.startsWith("/") ? path : `/api/v1/${path}`);
  return {
    get: async (path) => {
      const answer = await request.get(url(path), { headers });
      expect(answer.status(), await answer.text()).toBe(200);
      return answer.json();
    },
    post: async (path, data = {}, expected = 200) => {
      const answer = await request.post(url(path), { headers, data });
      expect(answer.status(), await answer.text()).toBe(expected);
      return answer.json();
    },
    patch: async (path, data) => {
      const answer = await request.patch(url(path), { headers, data });
      expect(answer.status(), await answer.text()).toBe(200);
      return answer.json();
    },
  };
}

/** A new flow with `definition` as its draft; published (v1) and enabled unless told otherwise. */
export async function createFlow(api: Api, definition: unknown, { publish = true, enable = true } = {}): Promise<{ id: number }> {
  const flow = await api.post("flows/", { definition }, 201);
  if (publish) await api.post(`flows/${flow.id}/publish/`, { notes: "e2e", enable }, 201);
  if (publish && enable) await api.post(`flows/${flow.id}/enable/`);
  return flow;
}

/** A street of the buyer's own, "文三路 B-DIJ…" from their phone's digits. */
export function buyerStreet(phone: string): string {
  return `文三路 ${phone.replace(/\d/g, (digit) => "ABCDEFGHIJ"[Number(digit)])} 座`;
}

/** An order created through the API and marked paid (so `order.paid` flows run). */
export async function createPaidOrder(
  api: Api,
  channel: string,
  sku: string,
  externalId: string,
  quantity = 1,
  phone = "13800138000",
) {
  const order = await api.post(
    "orders/",
    {
      channel,
      external_id: externalId,
      customer: { name: "张伟", phone },
      // One address per buyer: the risk rules hold orders of several phones sharing an address (and
      // addresses differing only in their digits), so the street is spelled from the phone in letters.
      shipping_address: { province: "浙江省", city: "杭州市", district: "西湖区", line: buyerStreet(phone), postcode: "310000" },
      lines: [{ sku, quantity }],
    },
    201,
  );
  await api.post(`orders/${order.id}/transition/`, { to: "paid", reason: "e2e payment" });
  return order as { id: number; number: string; total_amount: string };
}

export interface ExecutionRow {
  id: number;
  status: string;
  steps: { node_id: string; attempt: number; status: string }[];
}

/** The flow's executions once `done` says they are what the test waits for (the worker runs them). */
export async function waitForExecutions(api: Api, flowId: number, done: (rows: ExecutionRow[]) => boolean): Promise<ExecutionRow[]> {
  let rows: ExecutionRow[] = [];
  await expect
    .poll(
      async () => {
        rows = (await api.get(`executions/?flow=${flowId}`)).results;
        return done(rows);
      },
      { timeout: 60_000, intervals: [300, 500, 1000, 2000] },
    )
    .toBe(true);
  return rows;
}
