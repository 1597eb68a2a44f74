/** Orders as the API answers an operator (phones masked), for the board's tests. */
import type { Order } from "./api";

export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 41,
    number: "OF2612060000000041",
    channel: "tmall",
    external_id: "TM-10001",
    status: "paid",
    status_changed_at: "2026-12-06T05:22:07Z",
    customer: { id: 7, name: "王芳", phone: "139****5678", credit_level: 3 },
    currency: "CNY",
    goods_amount: "199.00",
    shipping_amount: "0.00",
    discount_amount: "0.00",
    total_amount: "199.00",
    shipping_address: {
      name: "王芳",
      phone: "139****5678",
      province: "浙江省",
      city: "杭州市",
      district: "西湖区",
      line: "文三路 90 号",
      postcode: "310012",
    },
    client_ip: "198.51.100.*",
    device: "",
    placed_at: "2026-12-06T05:20:00Z",
    paid_at: "2026-12-06T05:22:07Z",
    on_hold: false,
    hold_reason: "",
    cancel_reason: "",
    gift_for: null,
    tags: ["vip"],
    lines: [],
    created_at: "2026-12-06T05:20:01Z",
    updated_at: "2026-12-06T05:22:07Z",
    overdue: false,
    ...overrides,
  };
}
