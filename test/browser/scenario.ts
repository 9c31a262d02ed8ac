// The run whose numbers must come out the same in Node and in Chromium. It takes the library as
// an argument (never imports it) so the browser runs the Vite bundle of src/index.ts and Node runs
// the sources, through exactly this code.
import type * as Library from "../../src/index.js";
import type { BackendName, Optimizer, Param } from "../../src/index.js";
import { rng, uniform } from "../helpers/random.js";

type Lib = typeof Library;
type Options = Record<string, number | boolean | string>;
type OptimizerClass = new (params: Param[], options: Options) => Optimizer<any>;

/** Variants worth running besides each optimizer's defaults, by class name. */
const VARIANTS: Record<string, Options[]> = {
  SGD: [
    { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9, dampening: 0.2 },
    { lr: 0.05, momentum: 0.8, momentumForm: "ema", maximize: true },
  ],
  Adam: [{ lr: 0.01, amsgrad: true, weightDecay: 0.1 }],
  AdamW: [{ lr: 0.01, amsgrad: true }],
  LBFGS: [{ lr: 0.5, lineSearch: "strongWolfe", historySize: 5 }, { lineSearch: "backtracking" }],
};

/** Lengths of the two packed tensors: a SIMD body plus a 3-float tail, and a tail-only tensor (13·79 and 2·3 as matrices). */
const LENGTHS = [1027, 6];
const STEPS = 16;

export interface ScenarioResult {
  backend: BackendName;
  heapKind: string;
  /** Whether the heap grew while optimizers held state (it should: see the ballast). */
  grewDuringRun: boolean;
  /** Per case ("Adam {…}"), the bits of every parameter and every piece of state, in a fixed order. */
  bits: Record<string, number[]>;
}

/**
 * Every optimizer family, from the library's registry (new ones join by themselves), sorted by name:
 * a bundle and Node may order a module's exports differently.
 */
export function optimizerClasses(lib: Lib): [string, OptimizerClass][] {
  return Object.values(lib.FAMILIES)
    .map((family): [string, OptimizerClass] => [family.kind, family.optimizer as OptimizerClass])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Compact state for the families that take it: int8, and bfloat16 with stochastic rounding (the hash must agree too). */
function compactVariants(lib: Lib, name: string): Options[] {
  const family = Object.values(lib.FAMILIES).find((f) => f.kind === name);
  return [
    ...(family?.int8 ? [{ lr: 0.01, stateDtype: "int8" }] : []),
    ...(family?.bfloat16 ? [{ lr: 0.01, stateDtype: "bfloat16", stochasticRounding: true }] : []),
  ];
}

/** The tensors' shapes: vectors, or for a family that takes matrices only (Muon) matrices of the same lengths. */
function shapesFor(lib: Lib, name: string): number[][] {
  const matrices = Object.values(lib.FAMILIES).some((family) => family.kind === name && family.matricesOnly);
  return matrices ? [[13, 79], [2, 3]] : LENGTHS.map((n) => [n]);
}

export async function runScenario(lib: Lib, backend: BackendName, sharedMemory = true): Promise<ScenarioResult> {
  // A small heap, so that the ballast below makes it grow mid-run: on an unshared memory growth
  // detaches every view, which the library must re-derive.
  const engine = await lib.createEngine({ backend, initialBytes: 65536, sharedMemory });
  let grewDuringRun = false;
  const bits: Record<string, number[]> = {};
  const ballast: Param[] = [];
  for (const [name, Class] of optimizerClasses(lib)) {
    for (const options of [{}, ...(VARIANTS[name] ?? []), ...compactVariants(lib, name)]) {
      const params = shapesFor(lib, name).map((shape, k) => engine.param(uniform(LENGTHS[k], 7 + k, -2, 2), { shape }));
      const optimizer = new Class(params, options);
      const curvature = LENGTHS.map((n, k) => uniform(n, 17 + k, 0.1, 10));
      const noise = rng(99);
      for (let t = 1; t <= STEPS; t++) {
        // A change between steps, as a schedule makes.
        if (t === STEPS / 2) for (const group of optimizer.paramGroups) if (typeof group.lr === "number") group.lr *= 0.5;
        if (t === 3) {
          const before = engine.heap.byteLength;
          // Grows the heap by a different amount each case, past the space earlier cases freed.
          ballast.push(engine.param(40_000 * (ballast.length + 1)));
          grewDuringRun ||= engine.heap.byteLength > before;
        }
        optimizer.step(() => {
          // A noisy quadratic, ½·c·(x − 0.5)²; only +, − and × so both engines compute the same float64
          // values. The loss is returned for the optimizers that use it (L-BFGS's stopping tests).
          let loss = 0;
          params.forEach((p, k) => {
            const x = p.data;
            const g = p.grad;
            for (let i = 0; i < p.length; i++) {
              const d = x[i] - 0.5;
              loss += 0.5 * curvature[k][i] * d * d;
              g[i] = curvature[k][i] * d + (noise() - 0.5);
            }
          });
          return loss;
        });
        optimizer.zeroGrad();
      }
      bits[`${name} ${JSON.stringify(options)}`] = params.flatMap((p) => {
        const state = optimizer.getState(p);
        const slots = Object.keys(state).filter((key) => key !== "step").sort();
        // Buffers are float32; scalar state (NAdam's muProduct) is a float64, compared by its bits too.
        const values = [p.data, ...slots.map((key) => state[key])];
        return values.flatMap((value) => Array.from(new Uint32Array((typeof value === "number" ? Float64Array.of(value) : value!.slice()).buffer)));
      });
      optimizer.dispose();
      for (const p of params) p.dispose();
    }
  }
  bits["Companions (Adam + EMA + SWA + GradientAccumulation + Lookahead)"] = companions(lib, engine);
  const result = { backend: engine.backend, heapKind: engine.heap.storage.kind, grewDuringRun, bits };
  engine.dispose();
  return result;
}

/** The companions' kernels (lerpAverage, lerpStash, lookahead, swap) on one Adam run, as bits: params, averages, accumulator, slow weights. */
function companions(lib: Lib, engine: Library.Engine): number[] {
  const params = LENGTHS.map((n, k) => engine.param(uniform(n, 7 + k, -2, 2)));
  const adam = new lib.Adam(params, { lr: 0.05 });
  const ema = new lib.EMA(adam, { decay: 0.7, debias: true });
  const swa = new lib.SWA(adam, { start: 2 });
  const accumulation = new lib.GradientAccumulation(adam, { k: 3 });
  const lookahead = new lib.Lookahead(adam, { k: 2, alpha: 0.3 });
  for (let t = 1; t <= STEPS; t++) {
    params.forEach((p, k) => p.setGrad(uniform(p.length, 100 * t + k, -1, 1)));
    if (t % 4 === 0) lookahead.step();
    else accumulation.step();
    ema.update();
    swa.update();
  }
  ema.swapIn();
  const views = params.flatMap((p) => [p.data, ema.average(p), swa.average(p), accumulation.accumulator(p), lookahead.slow(p)]);
  const out = views.flatMap((view) => Array.from(new Uint32Array(view.slice().buffer)));
  ema.swapOut();
  for (const companion of [ema, swa, accumulation, lookahead, adam]) companion.dispose();
  for (const p of params) p.dispose();
  return out;
}
