/**
 * The order board: an operator finds an order by the customer's phone, sees it with the phone
 * masked (operators do not read phone numbers in full), and opens it.
 */
import { expect, test } from "@playwright/test";
import { apiAs, ARTIFACTS, login } from "./helpers";

const address = { province: "浙江省", city: "杭州市", district: "西湖区", line: "文三路 90 号", postcode: "310000" };

test("an operator searches an order by the customer's phone, sees the phone masked, and opens it", async ({ page, request }) => {
  const api = await apiAs(request, "operator");
  const stamp = `${Date.now()}`.slice(-8);
  const phone = `139${stamp}`;
  const masked = `139****${phone.slice(-4)}`;
  const order = await api.post(
    "orders/",
    { channel: "tmall", external_id: `E2E-BOARD-${stamp}`, customer: { name: "李娜", phone }, shipping_address: address, lines: [{ sku: "TEA-0002", quantity: 1 }] },
    201,
  );
  // Another customer's order, which the search must leave out.
  await api.post(
    "orders/",
    { channel: "jd", external_id: `E2E-BOARD-OTHER-${stamp}`, customer: { name: "赵强", phone: `138${stamp}` }, shipping_address: address, lines: [{ sku: "CUP-0001", quantity: 1 }] },
    201,
  );
  expect(order.customer.phone).toBe(masked);

  await login(page, "operator");
  await page.goto("/app/orders");
  await expect(page.getByRole("heading", { name: "订单看板" })).toBeVisible();
  await page.getByRole("searchbox", { name: "搜索订单" }).fill(phone);
  await page.getByRole("button", { name: "搜索", exact: true }).click();

  const rows = page.getByTestId("order-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  const row = page.getByTestId(`order-row-${order.id}`);
  await expect(row).toContainText(masked);
  await expect(row).toContainText("李娜");
  await expect(row).toContainText("天猫旗舰店");
  await expect(row).toContainText("待支付");
  await expect(page.getByText(phone)).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/app/orders\\?q=${phone}$`));
  await page.screenshot({ path: `${ARTIFACTS}order-board-search.png`, fullPage: true });

  await row.getByRole("link", { name: order.number }).click();
  await expect(page).toHaveURL(new RegExp(`/app/orders/${order.id}$`));
});
