/**
 * Merge (合单) and e-waybills (电子面单): an operator opens an order, merges it with the same buyer's
 * other paid order from the suggestion, requests the SF e-waybill (the SF sandbox answers in 丰桥's
 * protocol), hands the parcel to the courier and sees both orders shipped; the labels print as a PDF.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, createPaidOrder, login, token } from "./helpers";

test("an operator merges two orders of one buyer, requests the SF e-waybill and ships the parcel", async ({ page, request }) => {
  const admin = await apiAs(request, "admin");
  const connections = await admin.get("connections/");
  const rows = (connections.results ?? connections) as { connector: string; sandbox: boolean }[];
  if (!rows.some((row) => row.connector === "sf" && row.sandbox)) {
    await admin.post("connections/", { connector: "sf", name: "顺丰沙箱", credentials: {}, settings: {}, sandbox: true }, 201);
  }
  const api = await apiAs(request, "operator");
  const stamp = `${Date.now()}`;
  const phone = `139${stamp.slice(-8)}`;
  const first = await createPaidOrder(api, "tmall", "TEA-0002", `E2E-MERGE-A-${stamp}`, 1, phone);
  const second = await createPaidOrder(api, "tmall", "CUP-0001", `E2E-MERGE-B-${stamp}`, 2, phone);

  await login(page, "operator");
  await page.goto(`/app/orders/${first.id}`);
  const panel = page.getByTestId("order-parcels-panel");
  const suggestion = panel.getByTestId("merge-suggestion");
  await expect(suggestion).toContainText(second.number);
  await suggestion.getByRole("button", { name: "合并为一个包裹" }).click();
  await expect(panel).toContainText("已合并为包裹");
  const card = panel.locator("article.parcel");
  await expect(card).toContainText("合单");
  await expect(card).toContainText(second.number);

  await card.getByRole("button", { name: "申请电子面单" }).click();
  await expect(card).toContainText("已出面单");
  await expect(card).toContainText(/运单号 SF\d{13}/);
  await page.screenshot({ path: `${ARTIFACTS}parcels-merged-waybilled.png`, fullPage: true });

  await card.getByRole("button", { name: "确认已交快递" }).click();
  await expect(card).toContainText("已发出");
  await expect(page.getByRole("heading", { name: new RegExp(`订单 ${first.number}`) })).toContainText("已发货");
  await expect(page.locator('[data-testid="trace-entry"][data-action="parcel_merged"]')).toContainText("合单：与订单");
  const other = await api.get(`orders/${second.id}/`);
  expect(other.status).toBe("shipped");
  expect(other.total_amount).toBe(second.total_amount);

  const pdf = await request.post("/api/v1/labels/", {
    headers: { Authorization: `Token ${await token(request, "operator")}` },
    data: { order_ids: [first.id, second.id] },
  });
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 8).toString()).toBe("%PDF-1.4");
});
