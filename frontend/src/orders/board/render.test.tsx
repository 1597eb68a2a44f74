/** The board's table, kanban column and bulk results rendered to HTML as the browser gets them. */
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import { BulkResults } from "./BulkBar";
import { DEFAULT_COLUMNS } from "./filters";
import { anOrder } from "./fixtures";
import { KanbanColumnView, kanbanStatuses } from "./Kanban";
import { OrderTable } from "./OrderTable";

const html = (element: ReactElement) => renderToStaticMarkup(<I18nProvider>{element}</I18nProvider>);
const text = (markup: string) => markup.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const names = new Map([
  ["tmall", "天猫旗舰店"],
  ["jd", "京东自营"],
]);
const noSelection = null;

describe("the table", () => {
  it("shows channels and statuses by their names, the phone as answered, and links each order", () => {
    const markup = html(
      <OrderTable
        rows={[
          anOrder(),
          anOrder({
            id: 42,
            number: "OF42",
            channel: "jd",
            status: "pending_payment",
            overdue: true,
            on_hold: true,
            hold_reason: "地址可疑",
          }),
        ]}
        columns={DEFAULT_COLUMNS}
        channelNames={names}
        ordering="-created_at"
        onSort={() => undefined}
        selection={noSelection}
      />,
    );

    expect(markup).toContain('href="/app/orders/41"');
    expect(markup).toContain('href="/app/orders/42"');
    const shown = text(markup);
    expect(shown).toContain("天猫旗舰店");
    expect(shown).toContain("京东自营");
    expect(shown).toContain("已支付");
    expect(shown).toContain("待支付");
    expect(shown).toContain("139****5678");
    expect(shown).toContain("¥199.00");
    expect(shown).toContain("超时");
    expect(markup).toContain('title="地址可疑"');
    expect(shown).not.toMatch(/\btmall\b|\bpending_payment\b/);
    expect(markup).not.toContain('type="checkbox"');
    expect(markup).toContain('aria-sort="descending"');
  });

  it("has a checkbox per row for those who may act on orders", () => {
    const markup = html(
      <OrderTable
        rows={[anOrder(), anOrder({ id: 42, number: "OF42" })]}
        columns={["number", "status"]}
        channelNames={names}
        ordering="-created_at"
        onSort={() => undefined}
        selection={{ selected: new Set([42]), toggle: () => undefined, toggleAll: () => undefined }}
      />,
    );

    expect(markup.match(/type="checkbox"/g)).toHaveLength(3);
    expect(markup).toContain('aria-label="选择订单 OF42" checked=""');
    expect(markup).not.toContain('aria-label="选择订单 OF2612060000000041" checked=""');
  });
});

describe("the kanban", () => {
  it("has a column per chosen status, in the status machine's order, or every status", () => {
    expect(kanbanStatuses({ status: ["shipped", "paid"] })).toEqual(["paid", "shipped"]);
    expect(kanbanStatuses({})).toHaveLength(8);
  });

  it("shows a column's cards by name with a link each, and offers more when there are more", () => {
    const markup = html(
      <KanbanColumnView
        status="paid"
        cards={[anOrder()]}
        channelNames={names}
        hasMore
        loading={false}
        error={null}
        onMore={() => undefined}
        onRetry={() => undefined}
      />,
    );

    expect(markup).toContain('href="/app/orders/41"');
    expect(text(markup)).toContain("已支付 1+");
    expect(text(markup)).toContain("天猫旗舰店 · 王芳 · 杭州市");
    expect(text(markup)).toContain("加载更多");
  });
});

it("bulk results name each failed order and why, in the user's language", () => {
  const markup = html(
    <BulkResults
      summary={{
        applied: 2,
        unchanged: 0,
        failed: 1,
        failures: [{ id: 3, number: "OF3", code: "invalid_transition", message: "x" }],
      }}
      onClose={() => undefined}
    />,
  );

  expect(text(markup)).toContain("完成 2 个，无需变更 0 个，失败 1 个");
  expect(text(markup)).toContain("OF3 : 当前状态不能变更到所选状态。");
});
