// `npm run bench`: every optimizer on every backend against TF.js, jax-js and plain JS.
// Prints a markdown table and writes out/bench/{results.json,results.md,chart.html}.
// Options: --quick (smoke run), --optimizers adam,sgd  --impls wasm-simd,tfjs-wasm  --sizes 1K,1M
// --threads 1,2 (our wasm backends on each thread count, side by side).
import { Command } from "commander";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasWasmSimd } from "../src/backend/detect.js";
import { allocationReport, type AllocationReport } from "./allocation.js";
import { bestOf, measureBandwidth } from "./bandwidth.js";
import { time } from "./harness.js";
import { measureGemm } from "./gemm.js";
import { bareSimd } from "./impls/bareSimd.js";
import { jaxJs } from "./impls/jax.js";
import { ours } from "./impls/ours.js";
import { plainJs } from "./impls/plain.js";
import { tfjs } from "./impls/tfjs.js";
import { tfjsAdapter } from "./impls/tfjsAdapter.js";
import type { Impl } from "./impls/types.js";
import { OPTIMIZERS } from "./optimizers.js";
import { formatSize, K, makePlan, parseSizes, type Plan } from "./plan.js";
import { toHtml } from "./report/chart.js";
import { describeMachine } from "./report/machine.js";
import { formatRate, toMarkdown } from "./report/markdown.js";
import type { Measurement, RunResults } from "./results.js";

const program = new Command()
  .name("bench")
  .option("--quick", "smoke run: tiny sizes and time budgets (what CI runs)")
  .option("--optimizers <ids>", `comma-separated, from ${OPTIMIZERS.map((o) => o.id).join(",")}`)
  .option("--impls <ids>", "comma-separated implementation ids (default: all)")
  .option("--sizes <sizes>", "comma-separated N, e.g. 1K,16K,1M (default: 1K..16M, quick: 1K,16K)")
  .option("--threads <counts>", "comma-separated thread counts for our wasm backends, e.g. 1,2 (default: 1)")
  .option("--out <dir>", "where results go", "out/bench")
  .parse();
const options = program.opts<{ quick?: boolean; optimizers?: string; impls?: string; sizes?: string; threads?: string; out: string }>();

const collect = (globalThis as { gc?: () => void }).gc;

function pick<T extends { id: string }>(all: readonly T[], list: string | undefined, what: string): T[] {
  if (!list) return [...all];
  const ids = list.split(",").map((s) => s.trim());
  const unknown = ids.filter((id) => !all.some((x) => x.id === id));
  if (unknown.length) throw new Error(`unknown ${what} ${unknown.join(", ")}; known: ${all.map((x) => x.id).join(", ")}`);
  return all.filter((x) => ids.includes(x.id));
}

async function measureAll(plan: Plan, impls: Impl[], optimizers: typeof OPTIMIZERS[number][], onOptimizerDone: (soFar: Measurement[]) => void): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const optimizer of optimizers) {
    for (const layout of plan.layouts) {
      const sizes = layout.id === "many" ? [plan.manyCount * K] : plan.sizes;
      for (const n of sizes) {
        const lengths = layout.lengths(n);
        for (const impl of impls) {
          if (!impl.supports(optimizer)) continue;
          const base = { optimizer: optimizer.id, layout: layout.id, n, tensors: lengths.length, impl: impl.id };
          collect?.();
          let measurement: Measurement;
          try {
            const running = await impl.start({ optimizer, lengths, n });
            try {
              const timing = await time(running, plan.timing);
              measurement = { ...base, timing, paramsPerSec: (n / timing.stepMedianUs) * 1e6 };
            } finally {
              running.dispose();
            }
          } catch (error) {
            measurement = { ...base, error: String((error as Error)?.message ?? error).slice(0, 300) };
          }
          measurements.push(measurement);
          const shown = measurement.error ? `failed: ${measurement.error.slice(0, 80)}` : `${formatRate(measurement.paramsPerSec)} params/s`;
          console.error(`${optimizer.label.padEnd(13)} ${layout.label.padEnd(18)} ${formatSize(n).padStart(5)} ${impl.label.padEnd(22)} ${shown}`);
        }
      }
    }
    onOptimizerDone(measurements);
  }
  return measurements;
}

function parseThreads(list: string | undefined): number[] {
  if (!list) return [1];
  const counts = list.split(",").map((s) => Number(s.trim()));
  if (counts.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads takes positive integers, got ${list}`);
  return counts;
}

async function main(): Promise<void> {
  const plan = makePlan(options.quick === true, options.sizes ? parseSizes(options.sizes) : undefined);
  const allImpls: Impl[] = [
    ...(hasWasmSimd() ? [ours("wasm-simd")] : []), ours("wasm"), ours("js"),
    plainJs, tfjs("wasm"), tfjs("cpu"), tfjsAdapter("wasm"), tfjsAdapter("cpu"), jaxJs, ...(hasWasmSimd() ? [bareSimd] : []),
  ];
  // --threads: our wasm backends again on each thread count over 1 (ids wasm-simd-t2, …).
  for (const t of parseThreads(options.threads).filter((t) => t > 1)) {
    allImpls.push(...(hasWasmSimd() ? [ours("wasm-simd", t)] : []), ours("wasm", t));
  }
  const impls = pick(allImpls, options.impls, "implementation");
  const optimizers = pick(OPTIMIZERS, options.optimizers, "optimizer");
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  if (!collect) console.error("note: run with node --expose-gc (npm run bench does) for GC between measurements and an exact JS-heap report");

  console.error(`memory bandwidth reference over ${formatSize(plan.bandwidthFloats)} floats…`);
  const bandwidthAtStart = hasWasmSimd() ? await measureBandwidth(plan.bandwidthFloats, plan.timing) : undefined;
  const bandwidth = bandwidthAtStart;
  mkdirSync(options.out, { recursive: true });
  // Saved after each optimizer, so a run that dies part-way still leaves its numbers.
  const partial = join(options.out, "results.partial.json");
  const measurements = await measureAll(plan, impls, optimizers, (soFar) => writeFileSync(partial, JSON.stringify({ startedAt, machine, bandwidth, measurements: soFar }, null, 2)));

  console.error("memory bandwidth again (the better reading of start and end is kept)…");
  const bandwidthBest = bandwidthAtStart && bestOf(bandwidthAtStart, await measureBandwidth(plan.bandwidthFloats, plan.timing));

  const allocation: AllocationReport[] = [];
  const modelLengthsAt1K = plan.layouts.find((l) => l.id === "model")!.lengths(K);
  const ourBackends = impls.map((i) => i.id).filter((id): id is "wasm-simd" | "wasm" | "js" => id === "wasm-simd" || id === "wasm" || id === "js");
  for (const backend of ourBackends) {
    allocation.push(await allocationReport(backend, plan.allocationSteps, modelLengthsAt1K));
  }
  const gemm = await measureGemm(ourBackends, plan.quick ? 64 : 512, plan.timing);

  const results: RunResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    quick: plan.quick,
    machine,
    impls: impls.map((i) => ({ id: i.id, label: i.label, description: i.describe?.() })),
    optimizers: optimizers.map((o) => ({ id: o.id, label: o.label })),
    bandwidth: bandwidthBest,
    allocation,
    measurements,
    gemm,
  };
  const markdown = toMarkdown(results);
  writeFileSync(join(options.out, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(options.out, "results.md"), markdown + "\n");
  writeFileSync(join(options.out, "chart.html"), toHtml(results));
  rmSync(partial, { force: true });
  console.log(markdown);
  console.error(`wrote ${join(options.out, "results.json")}, results.md and chart.html`);
}

await main();
