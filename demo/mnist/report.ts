import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { Comparison } from "./compare.js";
import { comparisonTables, type Table } from "./table.js";

const require = createRequire(import.meta.url);

/** Chart.js's UMD bundle, inlined so the report opens offline with no other file. */
function chartJsSource(): string {
  // The package's exports hide dist/ paths, so go from its CommonJS entry (dist/chart.cjs).
  return readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

function htmlTable(table: Table): string {
  const cell = (tag: string, text: string, i: number) => `<${tag}${table.numeric[i] ? ' class="num"' : ""}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${table.header.map((text, i) => cell("th", text, i)).join("")}</tr>`;
  const body = table.rows.map((row) => `<tr>${row.map((text, i) => cell("td", text, i)).join("")}</tr>`).join("\n");
  return `<h3>${escapeHtml(table.title)}</h3>\n<table>\n${head}\n${body}\n</table>`;
}

// Chart series: the loss curve per optimizer and the per-epoch test scores (epoch 0 = initial weights).
function chartData(c: Comparison) {
  return c.runs.map((run) => ({
    label: run.label,
    scheduled: run.scheduled,
    trainLoss: run.lossCurve.map(([x, y]) => ({ x, y })),
    testAccuracy: [{ x: 0, y: 100 * run.initial.accuracy }, ...run.epochs.map((s) => ({ x: s.epoch, y: 100 * s.testAccuracy }))],
    testLoss: [{ x: 0, y: run.initial.loss }, ...run.epochs.map((s) => ({ x: s.epoch, y: s.testLoss }))],
    stepSeconds: run.stepMs / 1000 / Math.max(1, run.epochs.length),
    otherSeconds: (run.trainMs - run.stepMs) / 1000 / Math.max(1, run.epochs.length),
  }));
}

// Runs in the page: builds the four charts from DATA with Chart.js (animation off, so a
// screenshot taken on load shows the finished charts).
const PAGE_SCRIPT = `
const palette = ["#1f77b4","#ff7f0e","#2ca02c","#d62728","#9467bd","#8c564b","#e377c2","#7f7f7f","#bcbd22","#17becf","#393b79","#ad494a","#637939","#e7969c","#7b4173","#3182bd"];
const common = { animation: false, responsive: true, maintainAspectRatio: false, parsing: true,
  plugins: { legend: { position: "bottom", labels: { boxWidth: 12, padding: 6, font: { size: 11 } } } } };
function lines(id, key, title, yTitle, logY, yMin) {
  new Chart(document.getElementById(id), { type: "line",
    data: { datasets: DATA.map((run, i) => ({ label: run.label, data: run[key], borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length], borderWidth: 1.6, pointRadius: key === "trainLoss" ? 0 : 2,
      borderDash: run.scheduled ? [6, 3] : [] })) },
    options: { ...common, plugins: { ...common.plugins, title: { display: true, text: title } },
      scales: { x: { type: "linear", min: 0, title: { display: true, text: "epoch" } },
        y: { type: logY ? "logarithmic" : "linear", min: yMin, title: { display: true, text: yTitle },
          ticks: logY ? { callback: logTick } : {} } } } });
}
// Log-axis labels at 1, 2 and 5 of each decade, written plainly (0.02, not 0.020).
function logTick(value) {
  const mantissa = Math.round(value / 10 ** Math.floor(Math.log10(value)));
  return [1, 2, 5].includes(mantissa) ? String(+value.toPrecision(2)) : "";
}
// Zoom the accuracy axis on the trained epochs; epoch 0 (chance level) starts below it.
const trained = DATA.flatMap((run) => run.testAccuracy.slice(1).map((p) => p.y));
const accuracyMin = trained.length ? Math.max(0, Math.floor(Math.min(...trained)) - 1) : undefined;
lines("train-loss", "trainLoss", "Training loss (mean over each tenth of an epoch)", "cross-entropy (log scale)", true);
lines("test-accuracy", "testAccuracy", "Test accuracy after each epoch", "% correct", false, accuracyMin);
lines("test-loss", "testLoss", "Test loss after each epoch", "cross-entropy (log scale)", true);
new Chart(document.getElementById("time"), { type: "bar",
  data: { labels: DATA.map((run) => run.label), datasets: [
    { label: "optimizer (step, schedule, zeroGrad)", data: DATA.map((run) => run.stepSeconds), backgroundColor: "#d62728" },
    { label: "forward + backward", data: DATA.map((run) => run.otherSeconds), backgroundColor: "#9ecae1" } ] },
  options: { ...common, indexAxis: "y", plugins: { ...common.plugins, legend: { position: "top" },
    title: { display: true, text: "Wall time per epoch (s)" } },
    scales: { x: { stacked: true }, y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } } } } } });
`;

/** The report page: config, four charts, the tables; everything inline. */
export function reportHtml(c: Comparison): string {
  // JSON inside <script>: escape "<" so no "</script>" can end the block early.
  const data = JSON.stringify(chartData(c)).replace(/</g, "\\u003c");
  const summary = `${c.runs.length} optimizers · ${c.epochs} epochs · batch ${c.batchSize} · seed ${c.seed} · ` +
    `${c.trainCount} training / ${c.validationCount} validation / ${c.testCount} test digits · ${c.maxGradNorm === null ? "no clipping" : `gradients clipped to norm ${c.maxGradNorm}`} · backend ${c.backend} · total ${(c.totalMs / 1000).toFixed(1)} s`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wasm-optim · MNIST optimizer comparison</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
  h1 { font-size: 20px; margin: 0 0 4px; } .meta { color: #666; margin-bottom: 16px; }
  #charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  .chart { position: relative; height: 420px; border: 1px solid #e4e4e4; border-radius: 6px; padding: 8px; }
  table { border-collapse: collapse; margin-bottom: 16px; } th, td { padding: 3px 8px; border-bottom: 1px solid #eee; }
  th { text-align: left; background: #f6f6f6; } .num { text-align: right; font-variant-numeric: tabular-nums; }
  h3 { font-size: 15px; margin: 24px 0 6px; }
</style>
</head>
<body>
<h1>MNIST 784-128-10 MLP: one model, one initialisation, one batch order, every optimizer</h1>
<div class="meta">${escapeHtml(summary)}. Dashed lines: learning-rate schedule.</div>
<div id="charts">
  <div class="chart"><canvas id="train-loss"></canvas></div>
  <div class="chart"><canvas id="test-accuracy"></canvas></div>
  <div class="chart"><canvas id="test-loss"></canvas></div>
  <div class="chart"><canvas id="time"></canvas></div>
</div>
<div id="tables">
${comparisonTables(c).map(htmlTable).join("\n")}
</div>
<script>${chartJsSource()}</script>
<script>const DATA = ${data};${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** Writes report.html and results.json into `outDir`; returns their absolute paths. */
export function writeReport(c: Comparison, outDir: string): { html: string; json: string } {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const html = join(dir, "report.html");
  const json = join(dir, "results.json");
  writeFileSync(html, reportHtml(c));
  writeFileSync(json, `${JSON.stringify(c, null, 2)}\n`);
  return { html, json };
}
