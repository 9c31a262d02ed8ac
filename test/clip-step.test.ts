import { describe, expect, it } from "vitest";
import { Adam, clipGradNorm, OptimError, SGD, type BackendName, type Engine, type Optimizer, type Param, type StepOptions } from "../src/index.js";
import { decodeState } from "../src/state/format.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { FAMILIES, type OptimizerClass } from "./helpers/families.js";
import { uniform } from "./helpers/random.js";
import { expectOptimError } from "./helpers/errors.js";

const SIZES = [517, 514]; // two tensors, odd lengths: SIMD bodies and tails, params not 16-byte aligned
const STEPS = 8;

/** Step t's gradient: its scale alternates so that some steps are clipped and some are not. */
function gradient(t: number, n: number): Float32Array {
  return uniform(n, 500 + t, -1, 1).map((x) => x * (t % 2 === 0 ? 0.01 : 3));
}

function makeParams(engine: Engine): Param[] {
  return SIZES.map((n, i) => engine.param(uniform(n, 90 + i), { name: `p${i}` }));
}

function setGrads(params: Param[], t: number): Float32Array[] {
  return params.map((p, i) => {
    const g = gradient(t + 10 * i, p.length);
    p.setGrad(g);
    return g;
  });
}

/** Params and every state buffer, copied. */
function snapshot(optimizer: Optimizer<any>, params: Param[]): Float32Array[] {
  return params.flatMap((p) => {
    const state = optimizer.getState(p);
    const buffers = Object.keys(state).sort().flatMap((k) => (state[k] instanceof Float32Array ? [(state[k] as Float32Array).slice()] : []));
    return [p.data.slice(), ...buffers];
  });
}

describe.each(BACKENDS)("maxGradNorm inside the step on %s", (backend: BackendName) => {
  describe.each(FAMILIES)("%s", (_, Family: OptimizerClass) => {
    it.each([2, Infinity])("equals clipGradNorm before step() bit for bit, gradients untouched (norm %s)", async (normType) => {
      const maxNorm = normType === 2 ? 1.5 : 0.5;
      const inside = await engineFor(backend);
      const outside = await engineFor(backend);
      const pa = makeParams(inside), pb = makeParams(outside);
      const a = new Family(pa), b = new Family(pb);
      a.maxGradNorm = maxNorm;
      a.gradNormType = normType;
      let clipped = 0;
      for (let t = 1; t <= STEPS; t++) {
        const grads = setGrads(pa, t);
        setGrads(pb, t);
        const norm = clipGradNorm(pb, maxNorm, normType);
        if (norm > maxNorm) clipped++;
        a.step();
        b.step();
        expect(a.lastGradNorm).toBe(norm);
        pa.forEach((p, i) => expectBitEqual(p.grad, grads[i], `gradient ${i} after step ${t}`));
      }
      expect(clipped).toBeGreaterThan(0);
      expect(clipped).toBeLessThan(STEPS);
      const [sa, sb] = [snapshot(a, pa), snapshot(b, pb)];
      sa.forEach((buffer, i) => expectBitEqual(buffer, sb[i], `buffer ${i}`));
      inside.dispose();
      outside.dispose();
    });
  });
});

describe("a clipped run gives the same bits on every backend", () => {
  it.each(FAMILIES)("%s", async (_, Family: OptimizerClass) => {
    const runs = await Promise.all(
      BACKENDS.map(async (backend) => {
        const engine = await engineFor(backend);
        const params = makeParams(engine);
        const opt = new Family(params);
        opt.maxGradNorm = 1;
        for (let t = 1; t <= STEPS; t++) {
          setGrads(params, t);
          opt.step();
        }
        const result = { norm: opt.lastGradNorm, buffers: snapshot(opt, params) };
        engine.dispose();
        return result;
      }),
    );
    for (const run of runs.slice(1)) {
      expect(run.norm).toBe(runs[0].norm);
      run.buffers.forEach((buffer, i) => expectBitEqual(buffer, runs[0].buffers[i], `buffer ${i}`));
    }
  });
});

describe.each(BACKENDS)("non-finite gradients on %s", (backend: BackendName) => {
  const cases: [string, (p: Param[]) => Optimizer<any>][] = [
    ["SGD momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
    ["Adam amsgrad", (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ];

  describe.each(cases)("%s", (_, make) => {
    it.each([NaN, Infinity, -Infinity])("throw: NON_FINITE naming the entry (%s), nothing updated, later steps unaffected", async (bad) => {
      const engine = await engineFor(backend);
      const params = makeParams(engine), reference = makeParams(await engineFor(backend));
      const opt = make(params), ref = make(reference);
      opt.nonFinite = "throw";
      // Refused on the very first step: the state buffers must stay fresh, or the next step would
      // not be treated as the first (SGD's buffer starts as the gradient on step 1).
      setGrads(params, 1);
      params[1].grad[300] = bad;
      const before = opt.saveState();
      const data = params.map((p) => p.data.slice());
      const error = expectOptimError(() => opt.step(), "NON_FINITE");
      expect(error.message).toContain(`"p1" is ${bad} at index 300`);
      expect(opt.saveState()).toEqual(before);
      params.forEach((p, i) => expectBitEqual(p.data, data[i]));
      for (const value of Object.values(opt.getState(params[0]))) expect(typeof value === "number" ? value : Math.max(...value!.map(Math.abs))).toBe(0);
      for (let t = 2; t <= 4; t++) {
        setGrads(params, t);
        setGrads(reference, t);
        opt.step();
        ref.step();
      }
      const [sa, sb] = [snapshot(opt, params), snapshot(ref, reference)];
      sa.forEach((buffer, i) => expectBitEqual(buffer, sb[i], `buffer ${i}`));
      engine.dispose();
    });

    it("skip: counts the step and updates nothing; the run continues as if it had not happened", async () => {
      const engine = await engineFor(backend);
      const params = makeParams(engine), reference = makeParams(await engineFor(backend));
      const opt = make(params), ref = make(reference);
      opt.nonFinite = "skip";
      for (let t = 1; t <= 6; t++) {
        setGrads(params, t);
        if (t === 3 || t === 4) {
          params[0].grad[t] = t === 3 ? NaN : -Infinity;
          const before = decodeState(opt.saveState());
          opt.step();
          expect(Number.isFinite(opt.lastGradNorm)).toBe(false);
          // Only the skip counter differs from before: options, step counts, every state buffer are kept.
          const after = decodeState(opt.saveState());
          expect(after.header.settings.skippedSteps).toBe(before.header.settings.skippedSteps + 1);
          expect(after.header.groups).toEqual(before.header.groups);
          expect(after.payload).toEqual(before.payload);
          continue;
        }
        setGrads(reference, t);
        opt.step();
        ref.step();
      }
      expect(opt.skippedSteps).toBe(2);
      expect(opt.getState(params[0]).step).toBe(4);
      const [sa, sb] = [snapshot(opt, params), snapshot(ref, reference)];
      sa.forEach((buffer, i) => expectBitEqual(buffer, sb[i], `buffer ${i}`));
      engine.dispose();
    });

    it("proceed (the default): the update runs and the NaN reaches the parameter", async () => {
      const engine = await engineFor(backend);
      const params = makeParams(engine);
      const opt = make(params);
      expect(opt.nonFinite).toBe("proceed");
      setGrads(params, 1);
      params[0].grad[7] = NaN;
      opt.step();
      expect(opt.lastGradNorm).toBeUndefined(); // no norm pass when neither clipping nor guarding
      expect(params[0].data[7]).toBeNaN();
      expect(Number.isFinite(params[0].data[8])).toBe(true);
      expect(opt.skippedSteps).toBe(0);
      engine.dispose();
    });
  });

  it("the guard also reads the infinity norm", async () => {
    const engine = await engineFor(backend);
    const params = makeParams(engine);
    const opt = new SGD(params, { lr: 0.1 });
    opt.gradNormType = Infinity;
    opt.nonFinite = "skip";
    setGrads(params, 1);
    params[1].grad[513] = NaN; // the last element: the scalar tail
    opt.step();
    expect(opt.skippedSteps).toBe(1);
    engine.dispose();
  });
});

describe("step options are checked where they are set", () => {
  it("constructor options: valid ones are taken, bad ones rejected before anything is packed", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = makeParams(engine);
    const offsets = params.map((p) => p.dataOffset);
    const bad: StepOptions[] = [{ maxGradNorm: -1 }, { maxGradNorm: NaN }, { gradNormType: 1 }, { nonFinite: "ignore" as "skip" }];
    for (const options of bad) {
      expectOptimError(() => new SGD(params, { lr: 0.1, ...options } as object), "INVALID_HYPERPARAMETER");
      expect(params.map((p) => p.dataOffset)).toEqual(offsets);
    }
    const error = expectOptimError(() => new SGD([{ params, maxGradNorm: 1 } as never]), "INVALID_HYPERPARAMETER");
    expect(error.message).toContain("set on the optimizer, not on a param group");
    const opt = new SGD(params, { lr: 0.1, maxGradNorm: 2, gradNormType: Infinity, nonFinite: "skip" } as object);
    expect([opt.maxGradNorm, opt.gradNormType, opt.nonFinite]).toEqual([2, Infinity, "skip"]);
    expect(opt.defaults).not.toHaveProperty("maxGradNorm");
    engine.dispose();
  });

  it("setters reject bad values and keep the old one", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const opt = new Adam(makeParams(engine));
    expect([opt.maxGradNorm, opt.gradNormType, opt.nonFinite, opt.skippedSteps]).toEqual([Infinity, 2, "proceed", 0]);
    opt.maxGradNorm = 5;
    expectOptimError(() => (opt.maxGradNorm = -0.5), "INVALID_HYPERPARAMETER");
    expectOptimError(() => (opt.gradNormType = 3), "INVALID_HYPERPARAMETER");
    expectOptimError(() => (opt.nonFinite = "warn" as "skip"), "INVALID_HYPERPARAMETER");
    expect([opt.maxGradNorm, opt.gradNormType, opt.nonFinite]).toEqual([5, 2, "proceed"]);
    engine.dispose();
  });
});

describe("a clipped, guarded step allocates nothing in the heap", () => {
  it.each(BACKENDS)("%s: 2,000 steps with maxGradNorm and nonFinite \"skip\" leave the heap as it was", async (backend) => {
    const engine = await engineFor(backend);
    const params = makeParams(engine);
    const opt = new Adam(params, { lr: 0.01 });
    opt.maxGradNorm = 0.5;
    opt.nonFinite = "skip";
    setGrads(params, 1);
    opt.step();
    const [bytes, used] = [engine.heap.byteLength, engine.heap.usedBytes];
    for (let i = 0; i < 2000; i++) opt.step();
    expect([engine.heap.byteLength, engine.heap.usedBytes]).toEqual([bytes, used]);
    expect(opt.skippedSteps).toBe(0);
    expect(opt.getState(params[0]).step).toBe(2001);
    engine.dispose();
  });
});
