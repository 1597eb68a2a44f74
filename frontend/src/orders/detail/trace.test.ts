import { describe, expect, it } from "vitest";
import { translate } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import {
  appPath,
  concernsOrder,
  notesOf,
  originText,
  traceClock,
  traceDay,
  traceHeadline,
  traceWhat,
  type TimelineEntry,
} from "./trace";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

function entry(overrides: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: 1,
    occurred_at: "2026-12-06T05:22:07Z",
    action: "tagged",
    actor: { kind: "system", id: "", label: "tests" },
    source: "tests",
    changes: {},
    trace_id: "t",
    origin: { kind: "system", label_zh: "来自系统（tests）", label_en: "From the system (tests)", link: null },
    ignored: false,
    ...overrides,
  };
}

const FROM_TMALL = { kind: "connection" as const, label_zh: "来自天猫推送", label_en: "Push from 天猫", link: null };
const FROM_FLOW = {
  kind: "flow" as const,
  label_zh: "来自流程「签收即完成」v3",
  label_en: "From flow “签收即完成” v3",
  link: "/app/flows/12?execution=77",
};

describe("the status trace's time and source", () => {
  it("shows the time to the second in Asia/Shanghai, whatever the browser's zone", () => {
    expect(traceClock("2026-12-06T05:22:07Z")).toBe("13:22:07");
    expect(traceDay("2026-12-06T17:00:00Z")).toBe("2026-12-07");
  });

  it("leads each entry with its time and source in words", () => {
    expect(traceHeadline(entry({ origin: FROM_TMALL }), "zh")).toBe("13:22:07 来自天猫推送");
    expect(traceHeadline(entry({ origin: FROM_FLOW }), "zh")).toBe("13:22:07 来自流程「签收即完成」v3");
    expect(traceHeadline(entry({ origin: FROM_FLOW }), "en")).toBe("13:22:07 From flow “签收即完成” v3");
  });

  it("falls back to the actor's label for an answer without an origin", () => {
    const old = entry({ actor: { kind: "user", id: "1", label: "张三" } });
    delete (old as Partial<TimelineEntry>).origin;
    expect(originText(old, "zh")).toBe("来自 张三");
  });

  it("turns the API's link into an app path", () => {
    expect(appPath("/app/flows/12?execution=77")).toBe("/flows/12?execution=77");
    expect(appPath("/connections/4")).toBe("/connections/4");
  });
});

describe("what each change did, in words", () => {
  it("names statuses, tags and reasons", () => {
    const moved = entry({ action: "transitioned", changes: { status: ["paid", "shipped"], reason: "WMS 出库" } });
    expect(traceWhat(moved, zh)).toBe("状态 已支付 → 已发货，原因：WMS 出库");
    expect(traceWhat(moved, en)).toBe("Status Paid → Shipped; reason: WMS 出库");
    expect(traceWhat(entry({ action: "tagged", changes: { tag: "vip" } }), zh)).toBe("添加标签「vip」");
    expect(traceWhat(entry({ action: "held", changes: { reason: "地址可疑" } }), zh)).toBe("挂起：地址可疑");
    expect(traceWhat(entry({ action: "created", changes: { status: "paid", total_amount: "398.00" } }), zh)).toBe(
      "创建订单（已支付，合计 398.00）",
    );
  });

  it("says an ignored out-of-order event was not applied, and why", () => {
    const late = entry({
      action: "ignored",
      ignored: true,
      changes: { requested: "paid", current: "shipped", why: "out_of_order", reason: "" },
    });
    expect(traceWhat(late, zh)).toBe("请求变更为 已支付，当前已是 已发货，未应用（乱序事件）");
    const stale = entry({
      action: "ignored",
      ignored: true,
      changes: { why: "stale_update", requested_status: "paid" },
    });
    expect(traceWhat(stale, en)).toBe("A stale channel update (asking for Paid); not applied");
  });

  it("keeps an unknown action readable", () => {
    expect(traceWhat(entry({ action: "something_new" }), zh)).toBe("something_new");
  });
});

describe("notes and live events", () => {
  it("lists the notes newest first with who wrote them", () => {
    const entries = [
      entry({ id: 1, action: "noted", changes: { text: "first" }, actor: { kind: "user", id: "1", label: "张三" } }),
      entry({ id: 2, action: "tagged", changes: { tag: "x" } }),
      entry({ id: 3, action: "noted", changes: { text: "second" }, actor: { kind: "user", id: "2", label: "李四" } }),
    ];
    expect(notesOf(entries).map((n) => [n.text, n.by])).toEqual([
      ["second", "李四"],
      ["first", "张三"],
    ]);
  });

  it("refreshes only for events about this order", () => {
    expect(concernsOrder({ type: "order.status_changed", order: { id: 7 } }, 7)).toBe(true);
    expect(concernsOrder({ type: "order.status_changed", order: { id: 8 } }, 7)).toBe(false);
    expect(concernsOrder({ type: "inbox.changed" }, 7)).toBe(false);
    expect(concernsOrder(null, 7)).toBe(false);
  });
});

describe("the changes payments, parcels and tickets write on the order", () => {
  it("says them in words", () => {
    const parcel = entry({
      action: "shipment_status",
      changes: { tracking_no: "YT1", status: ["in_transit", "signed"] },
    });
    expect(traceWhat(parcel, zh)).toBe("包裹 YT1：运输中 → 已签收");
    const shipped = entry({ action: "shipment_created", changes: { courier: "sf", carrier: "", tracking_no: "SF1" } });
    expect(traceWhat(shipped, zh)).toBe("发货：sf 运单 SF1");
    const merged = entry({ action: "parcel_merged", changes: { parcel: "PC1", orders: ["OF1", "OF2"] } });
    expect(traceWhat(merged, zh)).toBe("合单：与订单 OF1, OF2 合为包裹 PC1");
    const split = entry({ action: "parcel_split", changes: { by: "warehouse", parcels: [{}, {}] } });
    expect(traceWhat(split, en)).toBe("Split (warehouse) into 2 parcels");
    const ticket = entry({ action: "ticket_opened", changes: { ticket: 4, title: "地址待确认", queue: "service" } });
    expect(traceWhat(ticket, zh)).toBe("开工单 #4「地址待确认」");
    const raised = entry({
      action: "ticket_updated",
      changes: { ticket: 4, priority: ["normal", "urgent"], queue: ["service", "finance"] },
    });
    expect(traceWhat(raised, zh)).toBe("更新工单 #4：优先级, 队列");
    const refund = entry({
      action: "payment_refund",
      changes: { out_request_no: "RF1", amount: "50.00", status: "requested" },
    });
    expect(traceWhat(refund, en)).toBe("Refund RF1, 50.00 (requested)");
    const again = entry({ action: "ignored", changes: { why: "payment_already_recorded", current: "paid" } });
    expect(traceWhat(again, zh)).toBe("重复的付款通知，未重复记录");
  });
});

describe("refund entries on the order's timeline", () => {
  it("say what happened to which request, the return with its count and parcel", () => {
    const received = entry({
      action: "refund_return_received",
      changes: {
        refund: 7,
        status: "approving",
        tracking_no: "SF1234",
        lines: [
          { sku: "TEA-001", quantity: 1, condition: "sellable" },
          { sku: "TEA-001", quantity: 2, condition: "damaged" },
        ],
      },
    });
    const untracked = entry({ action: "refund_return_received", changes: { refund: 7, tracking_no: "", lines: [] } });
    const rejected = entry({ action: "refund_rejected", changes: { refund: 7, reason: "已使用" } });
    const requested = entry({ action: "refund_requested", changes: { refund: 7, amount: "299.00" } });

    expect(traceWhat(received, zh)).toBe("退款申请 #7 收到退货 3 件（运单 SF1234）");
    expect(traceWhat(untracked, en)).toBe("Refund request #7: 0 returned item(s) received");
    expect(traceWhat(rejected, zh)).toBe("退款申请 #7 被拒绝：已使用");
    expect(traceWhat(requested, zh)).toBe("退款申请 #7：¥299.00");
  });
});
