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
