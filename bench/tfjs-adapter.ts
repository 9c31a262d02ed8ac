// `npm run bench:tfjs`: TF.js's own Adam against wasm-optim/tfjs's, both through applyGradients on
// TF.js variables (the adapter's copies in and out included), 20 variables summing to 100K, 1M and
// 10M parameters, on TF.js's cpu and wasm backends, side by side in one run. --quick: 1K and 10K.
// Prints a markdown table and writes out/bench/tfjs-adapter.json.
import { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { time } from "./harness.js";
import { tfjs } from "./impls/tfjs.js";
import { tfjsAdapter } from "./impls/tfjsAdapter.js";
import type { Impl } from "./impls/types.js";
import { OPTIMIZERS } from "./optimizers.js";
import { makePlan } from "./plan.js";
import { describeMachine } from "./report/machine.js";
import { formatRate } from "./report/markdown.js";

const options = new Command()
  .name("bench:tfjs")
  .option("--quick", "smoke run: tiny sizes and time budgets")
  .option("--backends <names>", "TF.js backends, comma-separated", "cpu,wasm")
  .option("--out <dir>", "where results go", "out/bench")
  .parse()
  .opts<{ quick?: boolean; backends: string; out: string }>();

const quick = options.quick === true;
const plan = makePlan(quick);
const sizes = quick ? [1_000, 10_000] : [100_000, 1_000_000, 10_000_000];
const model = plan.layouts.find((layout) => layout.id === "model")!;
const adam = OPTIMIZERS.find((o) => o.id === "adam")!;
const collect = (globalThis as { gc?: () => void }).gc;

interface Row {
  backend: string;
  n: number;
  tfjsUs: number;
  adapterUs: number;
}

async function stepUs(impl: Impl, lengths: number[], n: number): Promise<number> {
  collect?.();
  const running = await impl.start({ optimizer: adam, lengths, n });
  try {
    return (await time(running, plan.timing)).stepMedianUs;
  } finally {
    running.dispose();
  }
}

const rows: Row[] = [];
for (const backend of options.backends.split(",") as ("cpu" | "wasm")[]) {
  for (const n of sizes) {
    const lengths = model.lengths(n);
    const tfjsUs = await stepUs(tfjs(backend), lengths, n);
    const adapterUs = await stepUs(tfjsAdapter(backend), lengths, n);
    rows.push({ backend, n, tfjsUs, adapterUs });
    console.error(`${backend} ${n}: tf.train.adam ${(tfjsUs / 1000).toFixed(2)} ms, adapter ${(adapterUs / 1000).toFixed(2)} ms`);
  }
}

const lines = [
  "| TF.js backend | params (20 variables) | tf.train.adam ms/step | wasm-optim/tfjs adam ms/step | adapter params/s | speed-up |",
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => `| ${r.backend} | ${r.n.toLocaleString("en-US")} | ${(r.tfjsUs / 1000).toFixed(2)} | ${(r.adapterUs / 1000).toFixed(2)} | ${formatRate((r.n / r.adapterUs) * 1e6)} | ${(r.tfjsUs / r.adapterUs).toFixed(1)}× |`),
];
mkdirSync(options.out, { recursive: true });
writeFileSync(join(options.out, "tfjs-adapter.json"), JSON.stringify({ machine: describeMachine(), quick, rows }, null, 2) + "\n");
console.log(lines.join("\n"));
