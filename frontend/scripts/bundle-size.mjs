// Prints each file of the production bundle with its raw and gzip size, and the totals.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(js|css|html)$/.test(name)) yield path;
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const rows = [...files(dist)].map((path) => {
  const bytes = readFileSync(path);
  return { name: relative(dist, path), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
rows.sort((a, b) => b.gzip - a.gzip);
const width = Math.max(...rows.map((r) => r.name.length));
console.log("\nproduction bundle (gzip):");
for (const r of rows)
  console.log(`  ${r.name.padEnd(width)}  ${kb(r.raw).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}`);
const total = rows.reduce((s, r) => s + r.gzip, 0);
const entry = readFileSync(join(dist, "index.html"), "utf8");
const initial = rows.filter((r) => entry.includes(r.name.replace(/\\/g, "/"))).reduce((s, r) => s + r.gzip, 0);
console.log(
  `  total ${kb(total)} gzip; loaded by the first page ${kb(initial)} gzip (the editor is a separate chunk)\n`,
);

// Budget of the chart library. ECharts (core, bar and line series, grid, legend, tooltip and the canvas
// renderer: ~180 kB gzip) is for the dashboards alone: it must never reach a file the first page loads,
// and the lazy chunk that carries it stays within its own budget. (The other chunks have no budget.)
const ECHARTS_MARK = "_echarts_instance_"; // the attribute ECharts' core sets on every chart element
const CHART_CHUNK_BUDGET_GZIP = 200 * 1024;
const problems = [];
for (const r of rows.filter((row) => row.name.endsWith(".js"))) {
  if (!readFileSync(join(dist, r.name), "utf8").includes(ECHARTS_MARK)) continue;
  if (entry.includes(r.name.replace(/\\/g, "/")))
    problems.push(`${r.name} is loaded by the first page but holds ECharts: import it only from lazy pages`);
  else if (r.gzip > CHART_CHUNK_BUDGET_GZIP)
    problems.push(
      `${r.name} holds ECharts and is ${kb(r.gzip)} gzip, over its budget of ${kb(CHART_CHUNK_BUDGET_GZIP)}`,
    );
}
if (problems.length) {
  for (const problem of problems) console.error(`bundle budget: ${problem}`);
  process.exit(1);
}
