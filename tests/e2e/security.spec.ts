import { expect, test, type Page } from "@playwright/test";
import { apiAs, login } from "./helpers";

/** Every Content-Security-Policy violation the page reports, from its first script on. */
async function recordViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__cspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __cspViolation: (text: string) => void }).__cspViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  return violations;
}

test("the app runs under its Content-Security-Policy: the canvas, the lists and the API docs, no violation", async ({
  page,
  request,
}) => {
  const violations = await recordViolations(page);
  const api = await apiAs(request, "operator");
  const flow = await api.post(
    "flows/",
    {
      definition: {
        format: "orderflow.flow/v1",
        name: "CSP check",
        trigger: { type: "event", event: "order.paid" },
        nodes: [
          { id: "big", type: "condition", rule: { ">=": [{ var: "order.total_amount" }, 599] }, position: { x: 240, y: 80 } },
          {
            id: "tag",
            type: "action",
            action: "order.tag",
            params: { tag: "vip" },
            position: { x: 480, y: 40 },
          },
        ],
        edges: [
          { from: "trigger", to: "big" },
          { from: "big", to: "tag", branch: "true" },
        ],
      },
    },
    201,
  );

  const first = await page.goto("/app/");
  const csp = first?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("script-src 'self'");
  expect(first?.headers()["permissions-policy"]).toContain("camera=()");
  await login(page, "operator");

  await page.goto(`/app/flows/${flow.id}`);
  await expect(page.locator('.react-flow__node[data-id="tag"]')).toBeVisible();
  for (const path of ["/app/flows", "/app/orders", "/app/stock", "/app/dashboards", "/app/monitor", "/app/connections"]) {
    await page.goto(path);
    await expect(page.getByRole("navigation", { name: "主导航" })).toBeVisible();
  }
  // The API docs (Swagger UI) need the login the app holds, and run under the same policy.
  await page.goto("/api/docs/");
  await expect(page.locator(".swagger-ui .information-container")).toBeVisible({ timeout: 15_000 });

  expect(violations).toEqual([]);
});

test("the API docs need a login", async ({ request }) => {
  const answer = await request.get("/api/docs/");

  expect(answer.status()).toBe(401);
  expect((await answer.json()).code).toBe("not_authenticated");
});
