import { describe, expect, it } from "vitest";
import {
  createEngine, OptimError, ScheduleFreeAdamW, ScheduleFreeSGD,
  type Optimizer, type Param, type ScheduleFreeAdamWOptions, type ScheduleFreeSGDOptions,
} from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { bitParitySuite } from "./helpers/parity.js";
import { referenceSuite } from "./helpers/reference.js";
import { uniform } from "./helpers/random.js";
import { expectRejected, rewriteHeader } from "./helpers/stateBytes.js";
import { expectUnchanged, observe } from "./hardening/world.js";
import { scheduleFreeReference } from "./reference/schedulefree.js";

type ScheduleFree = ScheduleFreeSGD | ScheduleFreeAdamW;

const common = [
  { lr: 0.1, weightDecay: 0.1 },
  { lr: 0.1, warmupSteps: 4 },
  { lr: 0.1, warmupSteps: 3.5, r: 1, weightLrPower: 0 },
  { lr: 0.1, r: 0.5, weightLrPower: 1 },
  // lr 0: Σw stays 0 and the reference takes c = 0.
  { lr: 0 },
];

const sgdCases: Partial<ScheduleFreeSGDOptions>[] = [
  {},
  ...common,
  { lr: 0.1, momentum: 0.5 },
  { lr: 0.05, momentum: 0.3, weightDecay: 0.01, warmupSteps: 2, r: 2, weightLrPower: 3 },
];

const adamWCases: Partial<ScheduleFreeAdamWOptions>[] = [
  {},
  ...common,
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, beta2: 0 },
  { lr: 0.02, beta1: 0.3, beta2: 0.99, eps: 1e-4, weightDecay: 0.05, warmupSteps: 2, r: 1, weightLrPower: 1 },
];

const makeSgd = (params: Param[], options: Partial<ScheduleFreeSGDOptions> = {}) => new ScheduleFreeSGD(params, options);
const makeAdamW = (params: Param[], options: Partial<ScheduleFreeAdamWOptions> = {}) => new ScheduleFreeAdamW(params, options);

referenceSuite<Partial<ScheduleFreeSGDOptions>>({ name: "ScheduleFreeSGD", create: makeSgd, reference: (n, o) => scheduleFreeReference(n, o, false), cases: sgdCases });
referenceSuite<Partial<ScheduleFreeAdamWOptions>>({ name: "ScheduleFreeAdamW", create: makeAdamW, reference: (n, o) => scheduleFreeReference(n, o, true), cases: adamWCases });

bitParitySuite("ScheduleFreeSGD", makeSgd, sgdCases);
bitParitySuite("ScheduleFreeAdamW", makeAdamW, adamWCases);
// The train/eval kernel too, in both of torch's lerp forms (β < 0.5 takes the other one in train()).
// A round trip is not exact in float32 (y → x → y' may differ from y in the last bit), so three switches.
const switched = (optimizer: Optimizer<any>) => {
  (optimizer as ScheduleFree).eval();
  (optimizer as ScheduleFree).train();
  (optimizer as ScheduleFree).eval();
};
bitParitySuite("ScheduleFreeSGD eval()", makeSgd, [{ lr: 0.1 }, { lr: 0.1, momentum: 0.3 }], switched);
bitParitySuite("ScheduleFreeAdamW eval()", makeAdamW, [{ lr: 0.01 }, { lr: 0.01, beta1: 0.2 }], switched);

const families = [
  ["ScheduleFreeSGD", makeSgd, { lr: 0.1, momentum: 0.8 }, false],
  ["ScheduleFreeAdamW", makeAdamW, { lr: 0.01, beta1: 0.8 }, true],
] as const;

/** Steps an optimizer and its reference `steps` times with the same seeded gradients. */
function train(optimizer: Optimizer<any>, p: Param, p64: Float64Array, ref: { step(t: number, p: Float64Array, g: Float64Array): void }, from: number, steps: number): void {
  for (let t = from; t < from + steps; t++) {
    const g = uniform(p.length, 40 + t);
    p.setGrad(g);
    optimizer.step();
    ref.step(t, p64, Float64Array.from(g));
  }
}

describe.each(families)("%s train/eval", (_, make, options, adam) => {
  it.each(BACKENDS)("eval() puts the average x in the parameters and train() puts y back, as the reference (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const p = engine.param(uniform(9, 5));
    const optimizer = make([p], options);
    const ref = scheduleFreeReference(9, options, adam);
    const p64 = Float64Array.from(p.data);
    train(optimizer, p, p64, ref, 1, 6);
    expect(optimizer.training).toBe(true);
    optimizer.eval();
    expect(optimizer.training).toBe(false);
    expect(optimizer.getState(p).trainMode).toBe(0);
    expectClose(p.data, ref.average(p64), 2e-5, 2e-6, "x");
    optimizer.train();
    expectClose(p.data, p64, 2e-5, 2e-6, "y");
    // Training resumes from y: the reference did not move.
    train(optimizer, p, p64, ref, 7, 3);
    expectClose(p.data, p64, 2e-5, 2e-6, "y after more steps");
    expect(optimizer.getState(p)).toMatchObject({ step: 9, weightSum: ref.weightSum(), lrMax: ref.lrMax(), trainMode: 1 });
    engine.dispose();
  });

  it("a step in eval mode is refused, changing nothing; train() twice or eval() twice is one switch", async () => {
    const engine = await createEngine();
    const p = engine.param(uniform(5, 2));
    p.setGrad(uniform(5, 3));
    const optimizer = make([p], options);
    optimizer.step();
    optimizer.eval();
    const x = p.data.slice();
    optimizer.eval();
    expectBitEqual(p.data, x, "eval twice");
    const error = expectUnchanged(() => observe(engine, [p], [optimizer]), () => optimizer.step(), "INVALID_ARGUMENT");
    expect(error.message).toMatch(/step in eval mode .*call train\(\) first/);
    expect(() => optimizer.step(() => 0)).toThrow(/eval mode/);
    optimizer.train();
    const y = p.data.slice();
    optimizer.train();
    expectBitEqual(p.data, y, "train twice");
    optimizer.step();
    engine.dispose();
  });

  it("before the first step (no z yet) train and eval only switch the mode, as the reference", async () => {
    const engine = await createEngine();
    const initial = uniform(6, 8);
    const p = engine.param(initial);
    const optimizer = make([p], options);
    optimizer.eval();
    expectBitEqual(p.data, initial, "eval before a step");
    expect(() => optimizer.step()).toThrow(OptimError);
    optimizer.train();
    expectBitEqual(p.data, initial, "train before a step");
    p.setGrad(uniform(6, 9));
    optimizer.step();
    expect(optimizer.getState(p).step).toBe(1);
    engine.dispose();
  });

  it("train() and eval() are refused inside a step's closure, and an invalid β moves nothing", async () => {
    const engine = await createEngine();
    const p = engine.param(uniform(5, 2));
    p.setGrad(uniform(5, 3));
    const optimizer = make([p], options);
    optimizer.step();
    const inside = expectUnchanged(() => observe(engine, [p], [optimizer]), () => optimizer.step(() => (optimizer.eval(), 0)), "INVALID_ARGUMENT");
    expect(inside.message).toMatch(/eval\(\) called from inside a step's closure/);
    const group = optimizer.paramGroups[0] as Record<string, unknown>;
    const key = adam ? "beta1" : "momentum";
    group[key] = 0;
    expectUnchanged(() => observe(engine, [p], [optimizer]), () => optimizer.eval(), "INVALID_HYPERPARAMETER");
    group[key] = 0.8;
    optimizer.eval();
    expect(optimizer.training).toBe(false);
    engine.dispose();
  });

  it.each(["train", "eval"] as const)("saved in %s mode, loads with its mode and resumes to the same bits", async (mode) => {
    const engine = await createEngine();
    const [p, q] = [engine.param(uniform(7, 1), { name: "w" }), engine.param(uniform(7, 1), { name: "w" })];
    const a = make([p], options);
    for (let t = 1; t <= 4; t++) {
      p.setGrad(uniform(7, 60 + t));
      a.step();
    }
    if (mode === "eval") a.eval();
    const bytes = a.saveState();
    // The state does not hold the parameters: they are saved with the model, in the same mode.
    q.setData(p.data);
    const b = make([q], options);
    b.loadState(bytes);
    expect(b.training).toBe(mode === "train");
    expect(b.getState(q)).toMatchObject({ step: 4, weightSum: a.getState(p).weightSum, lrMax: a.getState(p).lrMax });
    for (const opt of [a, b]) opt.train();
    for (let t = 5; t <= 7; t++) {
      for (const [x, opt] of [[p, a], [q, b]] as const) {
        x.setGrad(uniform(7, 60 + t));
        opt.step();
      }
    }
    for (const opt of [a, b]) opt.eval();
    expectBitEqual(q.data, p.data, "params");
    expectBitEqual(b.getState(q).z, a.getState(p).z, "z");
    engine.dispose();
  });

  it("a saved trainMode other than 0 or 1, a negative weightSum or an lrMax below 0 other than -1 is refused", async () => {
    const engine = await createEngine();
    const p = engine.param(3, { name: "p" });
    const optimizer = make([p], options);
    optimizer.step();
    for (const scalars of [{ weightSum: 1, lrMax: 0.1, trainMode: 0.5 }, { weightSum: -1, lrMax: 0.1, trainMode: 1 }, { weightSum: 1, lrMax: -0.5, trainMode: 1 }]) {
      expectRejected(optimizer, rewriteHeader(optimizer.saveState(), (h) => (h.groups[0].scalars = scalars)), /trainMode|weightSum|lrMax/);
    }
    engine.dispose();
  });
});

describe("schedule-free options", () => {
  it("each family refuses the other's interpolation option by name", async () => {
    const engine = await createEngine();
    const p = engine.param(3);
    expect(() => new ScheduleFreeSGD([p], { beta1: 0.9 } as Partial<ScheduleFreeSGDOptions>)).toThrow(/ScheduleFreeSGD: invalid option "beta1"/);
    expect(() => new ScheduleFreeAdamW([p], { momentum: 0.9 } as Partial<ScheduleFreeAdamWOptions>)).toThrow(/ScheduleFreeAdamW: invalid option "momentum"/);
    engine.dispose();
  });
});

describe("schedule-free kernels on special values", () => {
  it("train/eval: identical bits on every backend in both lerp forms", async () => {
    // ±0, denormals, ±max, ±Inf and NaNs in y and z, every pair, over a SIMD body and a tail.
    const specials = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 1.5, -0.25];
    const pairs = specials.flatMap((y) => specials.map((z) => [y, z]));
    const results: Float32Array[] = [];
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const p = engine.param(Float32Array.from(pairs, ([y]) => y));
      const z = engine.param(Float32Array.from(pairs, ([, zv]) => zv));
      for (const [coef, fromZ] of [[-0.125, false], [0.1, false], [-0.7, true], [-2, true]] as const) {
        p.setData(Float32Array.from(pairs, ([y]) => y));
        engine.kernels.lerp(p.dataOffset, z.dataOffset, pairs.length, coef, fromZ);
        results.push(p.data.slice());
      }
      engine.dispose();
    }
    expectSameOnEveryBackend(results);
  });

  it.each(families)("%s: the first step (z read as a copy of y) gives identical bits on every backend", async (_, make, options) => {
    // The special-values suite injects into a state made by a first step; this covers that step.
    const specials = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 1.5, -0.25];
    const pairs = specials.flatMap((y) => specials.map((g) => [y, g]));
    const results: Float32Array[] = [];
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const p = engine.param(Float32Array.from(pairs, ([y]) => y));
      p.setGrad(Float32Array.from(pairs, ([, g]) => g));
      const optimizer = make([p], { ...options, weightDecay: 0.01 });
      optimizer.step();
      const state = optimizer.getState(p) as { z: Float32Array; expAvgSq?: Float32Array };
      results.push(p.data.slice(), state.z.slice(), ...(state.expAvgSq ? [state.expAvgSq.slice()] : []));
      engine.dispose();
    }
    expectSameOnEveryBackend(results);
  });
});

/** `results`: the same buffers from each backend in BACKENDS order. Identical bits, and every NaN the canonical 0xFFFFFFFF. */
function expectSameOnEveryBackend(results: readonly Float32Array[]): void {
  const perBackend = results.length / BACKENDS.length;
  for (let b = 1; b < BACKENDS.length; b++) {
    for (let k = 0; k < perBackend; k++) expectBitEqual(results[b * perBackend + k], results[k], `${BACKENDS[b]} buffer ${k}`);
  }
  for (const r of results) for (const bits of new Uint32Array(r.buffer)) if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) expect(bits).toBe(0xffffffff);
}

hyperparameterSuite(
  "ScheduleFreeSGD",
  (params, options) => new ScheduleFreeSGD(params, options),
  [
    ["negative lr", { lr: -1 }, /ScheduleFreeSGD: invalid lr -1, expected a finite number in \[0, Infinity\)/],
    ["momentum 0", { momentum: 0 }, /invalid momentum 0, expected a finite number in \(0, 1\)/],
    ["momentum 1", { momentum: 1 }, /invalid momentum 1, expected a finite number in \(0, 1\)/],
    ["negative warmupSteps", { warmupSteps: -1 }, /invalid warmupSteps -1/],
    ["negative r", { r: -1 }, /invalid r -1/],
    ["NaN weightLrPower", { weightLrPower: NaN }, /invalid weightLrPower NaN/],
    ["negative weightDecay", { weightDecay: -0.1 }, /invalid weightDecay -0.1/],
  ],
  [{ lr: 0 }, { momentum: 0.01 }, { warmupSteps: 10 }, { r: 3, weightLrPower: 0 }],
);

hyperparameterSuite(
  "ScheduleFreeAdamW",
  (params, options) => new ScheduleFreeAdamW(params, options),
  [
    ["negative lr", { lr: -0.0025 }, /ScheduleFreeAdamW: invalid lr -0.0025, expected a finite number in \[0, Infinity\)/],
    ["beta1 0", { beta1: 0 }, /invalid beta1 0, expected a finite number in \(0, 1\)/],
    ["beta2 1", { beta2: 1 }, /invalid beta2 1, expected a finite number in \[0, 1\)/],
    ["eps 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["negative warmupSteps", { warmupSteps: -5 }, /invalid warmupSteps -5/],
    ["infinite r", { r: Infinity }, /invalid r Infinity/],
  ],
  [{ lr: 0 }, { beta2: 0 }, { warmupSteps: 10 }, { r: 1, weightLrPower: 0 }],
);
