// What the optimizer companions cost on top of an Adam step, per backend (tinybench via ./harness.ts):
//   npx tsx bench/companions.ts [--sizes 1M] [--backends wasm-simd] [--repeats 5] [--quick]
// Each row: one engine, Adam over 20 model-like tensors in one group, timed alone and with the
// companion, alternately: + EMA.update(); + SWA.update(); GradientAccumulation (k = 4: four
// micro-batch calls, one of which steps Adam); Lookahead (k = 5, per inner step: one sync in five);
// EMA swapIn + swapOut (per pair). Overhead is the row minus Adam alone, a difference of two
// minima that a busy machine disturbs. Prints a markdown table; asserts nothing.
import { Adam, createEngine, EMA, GradientAccumulation, Lookahead, SWA, type BackendName, type Param } from "../src/index.js";
import { time } from "./harness.js";
import { fillValues } from "./impls/types.js";
import { formatSize } from "./plan.js";
import { suiteOptions } from "./suite-options.js";

const { sizes, backends, repeats, timing } = suiteOptions({ sizes: "1M", repeats: 5, repeatsHelp: "measure each cell this many times, alternating with Adam alone, and keep the fastest" });

const VARIANTS = ["+ EMA", "+ SWA", "GradientAccumulation k=4", "Lookahead k=5", "EMA swapIn+swapOut"] as const;
type Variant = (typeof VARIANTS)[number];

/**
 * One engine with Adam and the companion; Adam alone and with the companion timed alternately,
 * `repeats` times each, the fastest of each kept (the least disturbed on a shared machine). µs per
 * Adam step (per swap pair for the last row).
 */
async function measure(backend: BackendName, n: number, variant: Variant): Promise<{ adam: number; row: number }> {
  const engine = await createEngine({ backend });
  const params: Param[] = [];
  for (let i = 0; i < 20; i++) params.push(engine.param(Math.floor(n / 20) + (i === 0 ? n % 20 : 0)));
  const opt = new Adam(params, { lr: 1e-3 });
  params.forEach((p, i) => fillValues(p.grad, i + 1));
  let step: () => void;
  let perStep = 1;
  if (variant === "+ EMA" || variant === "EMA swapIn+swapOut") {
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
  let adam = Infinity, row = Infinity;
  for (let r = 0; r < repeats; r++) {
    adam = Math.min(adam, (await time({ step: () => opt.step(), dispose: () => {} }, timing)).stepMedianUs);
    row = Math.min(row, (await time({ step, dispose: () => {} }, timing)).stepMedianUs / perStep);
  }
  engine.dispose();
  return { adam, row };
}

const rows: string[] = ["| backend | N | row | µs per Adam step | Adam alone, µs | overhead |", "| --- | --- | --- | --- | --- | --- |"];
for (const n of sizes) {
  for (const backend of backends) {
    for (const variant of VARIANTS) {
      const { adam, row } = await measure(backend, n, variant);
      const overhead = variant === "EMA swapIn+swapOut" ? "(per pair)" : `${row - adam >= 0 ? "+" : "−"}${Math.abs(row - adam).toFixed(0)} µs (${((100 * (row - adam)) / adam).toFixed(0)}%)`;
      rows.push(`| ${backend} | ${formatSize(n)} | ${variant} | ${row.toFixed(0)} | ${adam.toFixed(0)} | ${overhead} |`);
      console.error(rows.at(-1));
    }
  }
}
console.log(rows.join("\n"));
