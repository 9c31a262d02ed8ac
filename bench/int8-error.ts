// How far int8 (and bfloat16) Adam state drifts from float32 state: two Adams see the same
// gradients (noise around a per-element mean, element scales spread over 10⁻⁴..1, independent of
// the parameters, so only the state storage differs) for 1,000 steps; prints the max relative
// error of m and v, relative to each element (where |x| > 10⁻³ of the slot's absmax) and to the absmax.
//   npx tsx bench/int8-error.ts [--n 65536] [--steps 1000]
import { Command } from "commander";
import { Adam, createEngine } from "../src/index.js";
import type { SlotDtype } from "../src/state/layout.js";

const options = new Command().option("--n <n>", "parameters", "65536").option("--steps <n>", "steps", "1000").parse().opts<{ n: string; steps: string }>();
const n = Number(options.n), steps = Number(options.steps);
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const scale = Float32Array.from({ length: n }, () => 10 ** (-4 * rand()));
const mean = Float32Array.from({ length: n }, () => rand() - 0.5);

const engine = await createEngine({ backend: "wasm-simd" });
const dtypes: SlotDtype[] = ["float32", "bfloat16", "int8"];
const runs = dtypes.map((stateDtype) => {
  const p = engine.param(n);
  return { stateDtype, p, opt: new Adam([p], { lr: 1e-3, stateDtype }) };
});
const g = new Float32Array(n);
for (let t = 0; t < steps; t++) {
  for (let i = 0; i < n; i++) g[i] = scale[i] * (mean[i] + (rand() - 0.5));
  for (const run of runs) {
    run.p.setGrad(g);
    run.opt.step();
  }
}
const base = runs[0].opt.getState(runs[0].p);
console.log(`n=${n}, ${steps} steps\n\n| state | slot | max |Δ| / |x| (|x| > 1e-3·absmax) | max |Δ| / absmax |\n| --- | --- | ---: | ---: |`);
for (const run of runs.slice(1)) {
  const s = run.opt.getState(run.p);
  for (const name of ["expAvg", "expAvgSq"] as const) {
    const ref = base[name], got = s[name];
    const absmax = ref.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    let rel = 0, relMax = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(got[i] - ref[i]);
      if (Math.abs(ref[i]) > 1e-3 * absmax) rel = Math.max(rel, d / Math.abs(ref[i]));
      relMax = Math.max(relMax, d / absmax);
    }
    console.log(`| ${run.stateDtype} | ${name} | ${rel.toExponential(2)} | ${relMax.toExponential(2)} |`);
  }
}
engine.dispose();
