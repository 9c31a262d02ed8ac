// A self-contained HTML page of charts (params/s vs N, log-log, one line per implementation; one
// chart per optimizer and layout) drawn by chart.js, whose UMD build is inlined: no CDN, opens
// from disk.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { formatSize, type LayoutId } from "../plan.js";
import type { RunResults } from "../results.js";
import { toMarkdown } from "./markdown.js";

const require = createRequire(import.meta.url);

interface ChartSpec {
  title: string;
  series: { label: string; points: { x: number; y: number }[] }[];
}

function chartSpecs(results: RunResults): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const layouts: [LayoutId, string][] = [["model", "20 tensors"], ["one", "1 tensor"]];
  for (const optimizer of results.optimizers) {
    for (const [layout, label] of layouts) {
      const series = results.impls.map((impl) => ({
        label: impl.label,
        points: results.measurements
          .filter((m) => m.optimizer === optimizer.id && m.layout === layout && m.impl === impl.id && m.paramsPerSec)
          .map((m) => ({ x: m.n, y: m.paramsPerSec! }))
          .sort((a, b) => a.x - b.x),
      })).filter((s) => s.points.length > 0);
      if (series.length > 0) specs.push({ title: `${optimizer.label}, ${label}`, series });
    }
  }
  return specs;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function toHtml(results: RunResults): string {
  const chartJs = readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
  const specs = chartSpecs(results);
  const sizeLabels = Object.fromEntries(results.measurements.filter((m) => m.layout !== "many").map((m) => [m.n, formatSize(m.n)]));
  // "</script" inside the inlined JSON would end the script element early.
  const data = JSON.stringify({ specs, sizeLabels }).replace(/<\//g, "<\\/");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wasm-optim benchmark</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}
canvas{background:#fff}pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:1em}</style>
<script>${chartJs.replace(/<\/script/gi, "<\\/script")}</script></head>
<body><h1>wasm-optim: parameters updated per second vs N</h1>
<p>${escapeHtml(`${results.machine.cpu}, Node ${results.machine.node}, ${results.startedAt}${results.quick ? " (quick smoke run)" : ""}`)}</p>
<div class="grid" id="charts"></div>
<h2>Tables</h2><pre>${escapeHtml(toMarkdown(results))}</pre>
<script>
const { specs, sizeLabels } = ${data};
const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
for (const spec of specs) {
  const box = document.createElement("div");
  const canvas = document.createElement("canvas");
  box.appendChild(canvas);
  document.getElementById("charts").appendChild(box);
  new Chart(canvas, {
    type: "line",
    data: { datasets: spec.series.map((s, i) => ({ label: s.label, data: s.points, borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length] })) },
    options: {
      animation: false,
      plugins: { title: { display: true, text: spec.title } },
      scales: {
        // Ticks at the measured sizes (1K, 16K, …) rather than at powers of ten.
        x: { type: "logarithmic", title: { display: true, text: "N (parameters)" }, ticks: { callback: (v) => sizeLabels[v] ?? "" },
          afterBuildTicks: (axis) => { axis.ticks = Object.keys(sizeLabels).map((v) => ({ value: Number(v) })); } },
        y: { type: "logarithmic", title: { display: true, text: "parameters / s" } },
      },
    },
  });
}
</script></body></html>
`;
}
