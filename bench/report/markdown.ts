// The run as markdown: params/s per optimizer, layout and N for every implementation, with
// wasm-simd's ratio to TF.js-wasm and to the plain-JS loop; then per-step overhead, the memory
// bandwidth reference, the allocation report and the Adam goals of issue 6.
import { gemmSection } from "../gemm.js";
import { formatSize, type LayoutId } from "../plan.js";
import { find, rate, type Measurement, type RunResults } from "../results.js";
import { adamGoals } from "./goals.js";

const LAYOUT_ORDER: LayoutId[] = ["model", "one", "many"];
const LAYOUT_LABEL: Record<LayoutId, string> = { model: "20 tensors", one: "1 tensor", many: "many × 1K" };

/** 1.23G, 45.6M, 789K: three significant figures. */
export function formatRate(perSec: number | undefined): string {
  if (perSec === undefined || !Number.isFinite(perSec)) return "—";
  const [scale, unit] = perSec >= 1e9 ? [1e9, "G"] : perSec >= 1e6 ? [1e6, "M"] : perSec >= 1e3 ? [1e3, "K"] : [1, ""];
  return `${(perSec / scale).toPrecision(3)}${unit}`;
}

function formatRatio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "—" : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×`;
}

function cell(m: Measurement | undefined): string {
  if (!m) return "";
  if (m.error) return m.error.startsWith("not run") ? "n/a" : "failed";
  return formatRate(m.paramsPerSec);
}

function row(values: string[]): string {
  return `| ${values.join(" | ")} |`;
}

function table(header: string[], rows: string[][]): string[] {
  return [row(header), row(header.map((_, i) => (i < 2 ? "---" : "---:"))), ...rows.map(row)];
}

function layoutN(results: RunResults, layout: LayoutId, optimizer: string): { n: number; tensors: number }[] {
  const seen = new Map<number, number>();
  for (const m of results.measurements) if (m.optimizer === optimizer && m.layout === layout) seen.set(m.n, m.tensors);
  return [...seen].sort((a, b) => a[0] - b[0]).map(([n, tensors]) => ({ n, tensors }));
}

function optimizerSection(results: RunResults, optimizer: { id: string; label: string }): string[] {
  const impls = results.impls.filter((impl) => results.measurements.some((m) => m.optimizer === optimizer.id && m.impl === impl.id));
  if (impls.length === 0) return [];
  const rows: string[][] = [];
  for (const layout of LAYOUT_ORDER) {
    for (const { n, tensors } of layoutN(results, layout, optimizer.id)) {
      const simd = rate(results, optimizer.id, layout, n, "wasm-simd");
      rows.push([
        layout === "many" ? `${tensors} × 1K` : LAYOUT_LABEL[layout],
        formatSize(n),
        ...impls.map((impl) => cell(find(results, optimizer.id, layout, n, impl.id))),
        formatRatio(simd, rate(results, optimizer.id, layout, n, "tfjs-wasm")),
        formatRatio(simd, rate(results, optimizer.id, layout, n, "plain-js")),
      ]);
    }
  }
  return [`### ${optimizer.label} (parameters updated per second)`, "", ...table(["layout", "N", ...impls.map((i) => i.label), "simd ÷ TF.js wasm", "simd ÷ plain JS"], rows), ""];
}

function overheadSection(results: RunResults): string[] {
  const n = results.measurements.filter((m) => m.layout === "model").reduce((min, m) => Math.min(min, m.n), Infinity);
  if (!Number.isFinite(n)) return [];
  const impls = results.impls.filter((impl) => results.measurements.some((m) => m.layout === "model" && m.n === n && m.impl === impl.id));
  const rows = results.optimizers.map((o) => [o.label, formatSize(n), ...impls.map((impl) => {
    const m = find(results, o.id, "model", n, impl.id);
    return m?.timing ? m.timing.stepMedianUs.toPrecision(3) : m?.error ? "failed" : "";
  })]);
  return [`### Time per step at N = ${formatSize(n)} in 20 tensors (µs, median)`, "", ...table(["optimizer", "N", ...impls.map((i) => i.label)], rows), ""];
}

function bandwidthSection(results: RunResults): string[] {
  const b = results.bandwidth;
  if (!b) return [];
  return [
    `### Memory bandwidth reference (wasm-simd, ${formatSize(b.floats)} floats per array, same run)`,
    "",
    `copy ${b.copyGBs.toFixed(1)} GB/s · triad ${b.triadGBs.toFixed(1)} GB/s · Adam-shaped traffic (4 reads, 3 writes) ${b.adamTrafficGBs.toFixed(1)} GB/s` +
      ` → at most ${formatRate(b.adamCeilingParamsPerSec)} Adam params/s (28 bytes each).`,
    "",
  ];
}

function allocationSection(results: RunResults): string[] {
  if (results.allocation.length === 0) return [];
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
  const rows = results.allocation.map((a) => [
    a.backend, a.steps.toLocaleString("en-US"),
    `${mib(a.wasmMemoryBefore)} → ${mib(a.wasmMemoryAfter)}`,
    `${a.heapUsedBefore} → ${a.heapUsedAfter}`,
    `${mib(a.jsHeapBefore)} → ${mib(a.jsHeapAfter)}${a.gcExposed ? "" : " (no --expose-gc)"}`,
  ]);
  return ["### Steady state: Adam steps over 20 tensors of 1K in total", "",
    ...table(["backend", "steps", "wasm memory (MiB)", "heap bytes in use", "JS heap used (MiB, after GC)"], rows), ""];
}

function goalsSection(results: RunResults): string[] {
  const goals = adamGoals(results);
  if (goals.length === 0) return [];
  const rows = goals.map((g) => [g.goal, g.measured, g.met === undefined ? "not measured" : g.met ? "met" : "**missed**"]);
  return ["### Adam goals of issue 6 (measured in this run; goals, never asserted)", "", ...table(["goal", "measured", ""], rows), ""];
}

export function toMarkdown(results: RunResults): string {
  const m = results.machine;
  const lines = [
    `## Benchmark results${results.quick ? " (--quick smoke run: tiny sizes, not for reading)" : ""}`,
    "",
    `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB · ${m.platform} · Node ${m.node} (V8 ${m.v8}) · load average ${m.loadAverage.toFixed(2)} at start · ` +
      `commit ${m.gitCommit ?? "unknown"} · ${results.startedAt}`,
    "",
    `Packages: ${Object.entries(m.packages).map(([name, v]) => `${name} ${v}`).join(", ")}.`,
    "",
    ...results.impls.filter((i) => i.description).map((i) => `- ${i.label}: ${i.description}`),
    "",
    `Command: \`${results.command}\`. G = 10⁹ parameters updated per second, from the median of the timed batches; "—" = no such peer, "n/a" = declined (see the JSON), "failed" = error (see the JSON).`,
    "",
    ...bandwidthSection(results),
    ...goalsSection(results),
    ...results.optimizers.flatMap((o) => optimizerSection(results, o)),
    ...overheadSection(results),
    ...allocationSection(results),
    ...gemmSection(results.gemm),
  ];
  return lines.join("\n");
}
