import { describe, expect, it } from "vitest";
import { fromCron, toCron, type Plan } from "./schedule";

describe("schedules in words and their cron", () => {
  const plans: [Plan, string][] = [
    [{ every: "day", time: "09:00" }, "0 9 * * *"],
    [{ every: "day", time: "18:30" }, "30 18 * * *"],
    [{ every: "weekday", time: "09:00" }, "0 9 * * 1-5"],
    [{ every: "week", day: 1, time: "08:15" }, "15 8 * * 1"],
    [{ every: "minutes", n: 15 }, "*/15 * * * *"],
    [{ every: "hours", n: 1 }, "0 * * * *"],
    [{ every: "hours", n: 6 }, "0 */6 * * *"],
  ];

  it.each(plans)("writes %j as %s and reads it back", (plan, cron) => {
    expect(toCron(plan)).toBe(cron);
    expect(fromCron(cron)).toEqual(plan);
  });

  it("answers null for what the plain form cannot say (the advanced view edits it)", () => {
    for (const cron of ["0 9 1 * *", "*/7 * * * *", "0 9 * * 1,3", "bad", "0 25 * * *", "0 9 * 1 *"]) {
      expect(fromCron(cron), cron).toBeNull();
    }
  });
});
