/** A parcel card rendered as the browser gets it, and the SKU list of a split form. */
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/i18n";
import { skuList, type Parcel } from "./api";
import { ParcelCard } from "./ParcelsPanel";

const merged: Parcel = {
  id: 7,
  number: "PC2612069A1B2C3D",
  kind: "merged",
  status: "waybilled",
  warehouse: "sh-main",
  note: "",
  courier: "sf",
  carrier: "",
  tracking_no: "SF1234567890123",
  orders: [
    { id: 1, number: "OF1" },
    { id: 2, number: "OF2" },
  ],
  lines: [
    { order_id: 1, order_number: "OF1", line_id: 11, sku: "TEA-001", title: "西湖龙井", quantity: 2 },
    { order_id: 2, order_number: "OF2", line_id: 21, sku: "CUP-002", title: "茶杯", quantity: 1 },
  ],
  created_at: "2026-12-06T10:00:00Z",
  waybilled_at: "2026-12-06T10:05:00Z",
  shipped_at: null,
};

const render = (canWork: boolean) =>
  renderToStaticMarkup(
    <I18nProvider>
      <ParcelCard parcel={merged} orderId={1} canWork={canWork} busy={false} act={() => undefined} />
    </I18nProvider>,
  ).replace(/<[^>]+>/g, " ");

describe("a merged, waybilled parcel", () => {
  it("names its kind and status, the other order, its tracking number, and offers ship, print and un-merge", () => {
    const shown = render(true);
    expect(shown).toContain("合单");
    expect(shown).toContain("已出面单");
    expect(shown).toContain("SF1234567890123");
    expect(shown).toContain("OF2");
    expect(shown).toContain("确认已交快递");
    expect(shown).toContain("打印面单");
    expect(shown).toContain("取消合单");
    expect(shown).toContain("取消面单（揽收前）");
    expect(shown).not.toContain("申请电子面单");
  });

  it("offers no waybill cancel once the parcel has shipped", () => {
    const shipped = renderToStaticMarkup(
      <I18nProvider>
        <ParcelCard
          parcel={{ ...merged, status: "shipped", shipped_at: "2026-12-06T11:00:00Z" }}
          orderId={1}
          canWork
          busy={false}
          act={() => undefined}
        />
      </I18nProvider>,
    );
    expect(shipped).not.toContain("取消面单");
  });

  it("offers no action to a reader", () => {
    const shown = render(false);
    expect(shown).not.toContain("打印面单");
    expect(shown).not.toContain("取消合单");
    expect(shown).not.toContain("取消面单");
  });
});

describe("skuList", () => {
  it("splits on commas (either width) and spaces, dropping blanks", () => {
    expect(skuList("PRE-001, PRE-002，PRE-003  ,,")).toEqual(["PRE-001", "PRE-002", "PRE-003"]);
  });
});
