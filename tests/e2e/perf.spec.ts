import { expect, test } from "@playwright/test";
import { login, token } from "./helpers";

const ROWS = 10;
const COLUMNS = 20;

/** 200 nodes: ten rows, each a condition followed by nineteen actions, laid out on a grid. */
function bigFlow() {
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  for (let row = 0; row < ROWS; row += 1) {
    for (let column = 0; column < COLUMNS; column += 1) {
      const id = `n${row}_${column}`;
      const position = { x: column * 280, y: row * 120 };
      if (column === 0) {
        nodes.push({ id, type: "condition", rule: { ">=": [{ var: "order.total_amount" }, row * 100] }, position });
        edges.push({ from: "trigger", to: id });
      } else {
        nodes.push({ id, type: "action", action: "order.tag", params: { tag: `t${row}-${column}` }, position });
        edges.push(column === 1 ? { from: `n${row}_0`, to: id, branch: "true" } : { from: `n${row}_${column - 1}`, to: id });
      }
    }
  }
  return { format: "orderflow.flow/v1", name: "性能测试 200 节点", trigger: { type: "event", event: "order.paid" }, nodes, edges };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  return { frames: samples.length, mean: +mean.toFixed(2), p50: +pick(0.5).toFixed(2), p95: +pick(0.95).toFixed(2), max: +sorted[sorted.length - 1].toFixed(2) };
}

test("a 200-node flow loads, pans and zooms (its frame times printed for the benchmark)", async ({ page, request }) => {
  const auth = await token(request, "operator");
  const created = await request.post("/api/v1/flows/", { headers: { Authorization: `Token ${auth}` }, data: { definition: bigFlow() } });
  expect(created.status()).toBe(201);
  const flow = await created.json();

  await login(page, "operator");
  const started = Date.now();
  await page.goto(`/app/flows/${flow.id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(201, { timeout: 30_000 });
  const loadMs = Date.now() - started;

  // Record every animation frame while we pan and zoom.
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  const viewport = page.locator(".react-flow__viewport");
  const before = await viewport.getAttribute("style");
  const box = (await page.locator(".react-flow__pane").boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 15; i += 1) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(16);
  }
  const zoomedIn = await viewport.getAttribute("style");
  for (let i = 0; i < 15; i += 1) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(16);
  }
  const zoomedOut = await viewport.getAttribute("style");
  for (let round = 0; round < 3; round += 1) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 300, cy - 120, { steps: 30 });
    await page.mouse.move(cx + 200, cy + 100, { steps: 30 });
    await page.mouse.up();
  }

  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames.slice(1);
  });
  const figures = stats(frames);
  console.log(`200-node flow: loaded in ${loadMs} ms; pan/zoom frame time (ms) ${JSON.stringify(figures)}`);
  test.info().annotations.push({ type: "frame-time", description: JSON.stringify({ loadMs, ...figures }) });
  // Frame times depend on the machine and on whatever else runs on it, so they are printed, not
  // asserted (`make bench` runs this spec as the editor's benchmark; bench/RESULTS.md has its
  // figures). What is asserted is that the canvas answered: the wheel zoomed it, the drag moved it,
  // and frames were drawn while it did.
  expect(zoomedIn).not.toBe(before);
  expect(zoomedOut).not.toBe(zoomedIn);
  expect(await viewport.getAttribute("style")).not.toBe(zoomedOut);
  expect(figures.frames).toBeGreaterThan(0);
});
