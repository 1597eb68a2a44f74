import { describe, expect, it } from "vitest";
import type { BoardView } from "./api";
import {
  cleanFilters,
  DEFAULT_COLUMNS,
  differsFromView,
  EMPTY_STATE,
  nextOrdering,
  orderQuery,
  parseTags,
  stateFromSearch,
  stateOfView,
  stateToSearch,
  type BoardState,
} from "./filters";

const NOW = new Date("2026-12-06T12:00:00Z");

describe("the orders API's query", () => {
  it("is empty for no filters and the default sort", () => {
    expect(orderQuery({}, "-created_at", NOW)).toEqual({});
  });

  it("joins lists with commas and writes booleans and the sort", () => {
    expect(
      orderQuery(
        {
          status: ["paid", "processing"],
          channel: "tmall",
          province: "浙江省",
          city: " 杭州市 ",
          tags: ["vip", "生鲜"],
          on_hold: false,
          overdue: true,
          q: "13912345678",
        },
        "-total_amount",
        NOW,
      ),
    ).toEqual({
      status: "paid,processing",
      channel: "tmall",
      province: "浙江省",
      city: "杭州市",
      tags: "vip,生鲜",
      on_hold: "false",
      overdue: "true",
      q: "13912345678",
      ordering: "-total_amount",
    });
  });

  it("turns a moving range into a start time, and keeps a fixed one", () => {
    expect(orderQuery({ created_within_days: 7 }, "-created_at", NOW)).toEqual({
      created_after: "2026-11-29T12:00:00.000Z",
    });
    expect(
      orderQuery({ created_after: "2026-12-01T00:00:00Z", created_before: "2026-12-02T00:00:00Z" }, "-created_at", NOW),
    ).toEqual({ created_after: "2026-12-01T00:00:00Z", created_before: "2026-12-02T00:00:00Z" });
  });

  it("leaves out what is empty", () => {
    expect(orderQuery({ status: [], tags: [], channel: "", on_hold: null, q: "  " }, "-created_at", NOW)).toEqual({});
    expect(cleanFilters({ status: [], city: "", overdue: false })).toEqual({ overdue: false });
  });
});

describe("the board in the URL", () => {
  it("round-trips every filter, the sort, the layout, the columns and the view", () => {
    const state: BoardState = {
      filters: {
        status: ["shipped"],
        channel: "jd",
        city: "宁波市",
        tags: ["vip"],
        on_hold: true,
        overdue: false,
        created_within_days: 30,
        q: "王",
      },
      columns: ["number", "status", "phone"],
      ordering: "status_changed_at",
      layout: "kanban",
    };

    const search = stateToSearch(state, 12);

    expect(stateFromSearch(new URLSearchParams(search))).toEqual({ state, viewId: 12 });
  });

  it("writes nothing for the default board and reads nonsense as the default", () => {
    expect(stateToSearch(EMPTY_STATE)).toBe("");
    expect(
      stateFromSearch(new URLSearchParams("status=lost,paid&ordering=-phone&layout=gantt&within=0&columns=x&view=-3")),
    ).toEqual({ state: { ...EMPTY_STATE, filters: { status: ["paid"] } }, viewId: null });
  });
});

describe("saved views", () => {
  const view: BoardView = {
    id: 3,
    name: "待发货",
    filters: { status: ["paid"] },
    columns: [],
    ordering: "-created_at",
    layout: "table",
    created_at: "2026-12-06T00:00:00Z",
    updated_at: "2026-12-06T00:00:00Z",
  };

  it("give the board their state, with the default columns when they keep none", () => {
    expect(stateOfView(view)).toEqual({ ...EMPTY_STATE, filters: { status: ["paid"] }, columns: DEFAULT_COLUMNS });
  });

  it("tell when the board was changed since", () => {
    expect(differsFromView(stateOfView(view), view)).toBe(false);
    expect(differsFromView({ ...stateOfView(view), filters: { status: ["paid"], city: "" } }, view)).toBe(false);
    expect(differsFromView({ ...stateOfView(view), filters: { status: ["shipped"] } }, view)).toBe(true);
    expect(differsFromView({ ...stateOfView(view), layout: "kanban" }, view)).toBe(true);
  });
});

it("splits typed tags on commas (either width) and spaces, each once", () => {
  expect(parseTags("vip, 生鲜，vip  大促")).toEqual(["vip", "生鲜", "大促"]);
  expect(parseTags("  ")).toEqual([]);
});

it("sorts a column newest first, then the other way round; other columns do not sort", () => {
  expect(nextOrdering("-created_at", "total")).toBe("-total_amount");
  expect(nextOrdering("-total_amount", "total")).toBe("total_amount");
  expect(nextOrdering("total_amount", "total")).toBe("-total_amount");
  expect(nextOrdering("-created_at", "phone")).toBe("-created_at");
});
