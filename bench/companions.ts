// What the optimizer companions cost on top of an Adam step, per backend (tinybench via ./harness.ts):
//   npx tsx bench/companions.ts [--sizes 1M] [--backends wasm-simd] [--quick]
// Rows, each timed per Adam step over 20 model-like tensors in one group: Adam alone; + EMA.update();
// + SWA.update(); GradientAccumulation (k = 4: four micro-batch calls, one of which steps Adam);
// Lookahead (k = 5: per inner step, one sync in five); EMA swapIn + swapOut (per pair). Overhead is
// the row minus Adam alone. Prints a markdown table; asserts nothing.
import { Command } from "commander";
import { hasWasmSimd } from "../src/backend/detect.js";
import { Adam, createEngine, EMA, GradientAccumulation, Lookahead, SWA, type BackendName, type Param } from "../src/index.js";
import { time, type TimingSettings } from "./harness.js";
import { fillValues } from "./impls/types.js";
import { formatSize, parseSizes } from "./plan.js";

const options = new Command()
  .option("--sizes <sizes>", "comma-separated N", "1M")
  .option("--backends <names>", "comma-separated backends (default: all available)")
  .option("--repeats <n>", "measure each cell this many times, interleaved, and keep the fastest", "3")
  .option("--quick", "tiny time budgets")
  .parse()
  .opts<{ sizes: string; backends?: string; repeats: string; quick?: boolean }>();
const timing: TimingSettings = options.quick ? { batchMs: 1, timeMs: 20, minSamples: 2 } : { batchMs: 5, timeMs: 400, minSamples: 5 };
const available: BackendName[] = hasWasmSimd() ? ["wasm-simd", "wasm", "js"] : ["wasm", "js"];
const backends = options.backends ? (options.backends.split(",") as BackendName[]) : available;
const repeats = Math.max(1, Number(options.repeats));

const VARIANTS = ["Adam", "+ EMA", "+ SWA", "GradientAccumulation k=4", "Lookahead k=5", "EMA swapIn+swapOut"] as const;
type Variant = (typeof VARIANTS)[number];

/** Time per Adam step (per swap pair for the last row), µs. */
async function measure(backend: BackendName, n: number, variant: Variant): Promise<number> {
  const engine = await createEngine({ backend });
  const params: Param[] = [];
  for (let i = 0; i < 20; i++) params.push(engine.param(Math.floor(n / 20) + (i === 0 ? n % 20 : 0)));
  const opt = new Adam(params, { lr: 1e-3 });
  params.forEach((p, i) => fillValues(p.grad, i + 1));
  let step: () => void;
  let perStep = 1;
  if (variant === "Adam") step = () => opt.step();
  else if (variant === "+ EMA" || variant === "EMA swapIn+swapOut") {
    const ema = new EMA(opt);
    step = variant === "+ EMA" ? () => (opt.step(), ema.update()) : () => (ema.swapIn(), ema.swapOut());
  } else if (variant === "+ SWA") {
    const swa = new SWA(opt);
    step = () => (opt.step(), swa.update());
  } else if (variant === "GradientAccumulation k=4") {
    const acc = new GradientAccumulation(opt, { k: 4 });
    step = () => void (acc.step(), acc.step(), acc.step(), acc.step());
  } else {
    const la = new Lookahead(opt, { k: 5 });
    step = () => void (la.step(), la.step(), la.step(), la.step(), la.step());
    perStep = 5;
  }
  const result = await time({ step, dispose: () => engine.dispose() }, timing);
  engine.dispose();
  return result.stepMedianUs / perStep;
}

const rows: string[] = ["| backend | N | row | µs per Adam step | overhead |", "| --- | --- | --- | --- | --- |"];
for (const n of parseSizes(options.sizes)) {
  for (const backend of backends) {
    const best = VARIANTS.map(() => Infinity);
    for (let r = 0; r < repeats; r++) {
      for (let v = 0; v < VARIANTS.length; v++) best[v] = Math.min(best[v], await measure(backend, n, VARIANTS[v]));
    }
    VARIANTS.forEach((variant, v) => {
      const overhead = variant === "Adam" ? "" : variant === "EMA swapIn+swapOut" ? "(per pair)" : `+${(best[v] - best[0]).toFixed(0)} µs (${((100 * (best[v] - best[0])) / best[0]).toFixed(0)}%)`;
      rows.push(`| ${backend} | ${formatSize(n)} | ${variant} | ${best[v].toFixed(0)} | ${overhead} |`);
      console.error(rows.at(-1));
    });
  }
}
console.log(rows.join("\n"));
