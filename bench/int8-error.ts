// How far int8 (and bfloat16) Adam state drifts from float32 state: Adams see the same gradients
// (noise around a per-element mean, element scales spread over 10⁻⁴..1, independent of the
// parameters, so only the state storage differs) for 1,000 steps; prints the max and mean relative
// error of m and v, relative to each element (where |x| > 10⁻³ of the slot's absmax) and to the
// absmax. One more row simulates (in plain JS, float32 arithmetic) Adam over format 5's int8 codes,
// bitsandbytes' dynamic map with its nearest entry, to compare the two 8-bit maps on the same data.
//   npx tsx bench/int8-error.ts [--n 65536] [--steps 1000]
import { Command } from "commander";
import { Adam, createEngine } from "../src/index.js";
import type { SlotDtype } from "../src/state/layout.js";
import { V5_SIGNED_MAP, V5_UNSIGNED_MAP } from "../src/state/int8-v5.js";

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
const dynamic = dynamicMapAdam(n);
for (let t = 0; t < steps; t++) {
  for (let i = 0; i < n; i++) g[i] = scale[i] * (mean[i] + (rand() - 0.5));
  for (const run of runs) {
    run.p.setGrad(g);
    run.opt.step();
  }
  dynamic.step(g, t + 1);
}
const base = runs[0].opt.getState(runs[0].p);
console.log(`n=${n}, ${steps} steps\n\n| state | slot | max |Δ| / |x| (|x| > 1e-3·absmax) | mean |Δ| / |x| (same) | max |Δ| / absmax |\n| --- | --- | ---: | ---: | ---: |`);
const rows = [...runs.slice(1).map((run) => ({ label: run.stateDtype, state: run.opt.getState(run.p) })), { label: "int8, dynamic map (format 5, simulated)", state: dynamic.state }];
for (const { label, state } of rows) {
  for (const name of ["expAvg", "expAvgSq"] as const) {
    const ref = base[name], got = state[name];
    const absmax = ref.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    let rel = 0, relSum = 0, counted = 0, relMax = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(got[i] - ref[i]);
      if (Math.abs(ref[i]) > 1e-3 * absmax) {
        rel = Math.max(rel, d / Math.abs(ref[i]));
        relSum += d / Math.abs(ref[i]);
        counted++;
      }
      relMax = Math.max(relMax, d / absmax);
    }
    console.log(`| ${label} | ${name} | ${rel.toExponential(2)} | ${(relSum / counted).toExponential(2)} | ${relMax.toExponential(2)} |`);
  }
}
engine.dispose();

/** Adam (lr 1e-3, defaults) over m and v stored as format 5's codes: per 256 numbers, the nearest entry of x / absmax. */
function dynamicMapAdam(length: number) {
  const f = Math.fround, p = new Float32Array(length), m = new Float32Array(length), v = new Float32Array(length);
  // The map ascends: find the first entry ≥ y, then take the nearer of it and the one below.
  const nearest = (map: Float32Array, y: number) => {
    let lo = 0, hi = map.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (map[mid] < y) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && y - map[lo - 1] <= map[lo] - y ? map[lo - 1] : map[lo];
  };
  const store = (x: Float32Array, from: number, to: number, map: Float32Array) => {
    let absmax = 0;
    for (let i = from; i < to; i++) absmax = Math.max(absmax, Math.abs(x[i]));
    for (let i = from; i < to; i++) x[i] = absmax === 0 ? 0 : f(nearest(map, f(x[i] / absmax)) * absmax);
  };
  return {
    state: { expAvg: m, expAvgSq: v },
    step(grad: Float32Array, t: number) {
      const bc1 = 1 - 0.9 ** t, sqrtBc2 = Math.sqrt(1 - 0.999 ** t), stepSize = f((1e-3 * sqrtBc2) / bc1), epsHat = f(1e-8 * sqrtBc2);
      for (let i = 0; i < length; i++) {
        m[i] = f(f(f(0.9) * m[i]) + f(f(1 - 0.9) * grad[i]));
        v[i] = f(f(f(0.999) * v[i]) + f(f(1 - 0.999) * f(grad[i] * grad[i])));
        p[i] = f(p[i] - f(f(stepSize * m[i]) / f(f(Math.sqrt(v[i])) + epsHat)));
      }
      for (let b = 0; b < length; b += 256) {
        store(m, b, Math.min(length, b + 256), V5_SIGNED_MAP);
        store(v, b, Math.min(length, b + 256), V5_UNSIGNED_MAP);
      }
    },
  };
}
