import { describe, expect, it } from "vitest";
import { ASGD, type ASGDOptions, type ASGDState, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { bitParitySuite } from "./helpers/parity.js";
import { referenceSuite } from "./helpers/reference.js";
import { uniform } from "./helpers/random.js";
import { asgdReference } from "./reference/asgd.js";
import { readFileSync } from "node:fs";
import { expectRejected, rewriteHeader } from "./helpers/stateBytes.js";

type GoldenStep = { param: number[]; ax: number[]; eta: number; mu: number };
type GoldenCase = {
  options: Record<string, number | boolean>;
  /** The group's lr set before step t (1-based, as a key). */
  lrAtStep: Record<string, number>;
  /** The group's two tensors: the first `split` values and the rest. */
  split: number;
  initial: number[];
  grads: number[][];
  steps: GoldenStep[];
};
const golden: { source: string; cases: GoldenCase[] } = JSON.parse(readFileSync(new URL("./golden/asgd.json", import.meta.url), "utf8"));

const cases: Partial<ASGDOptions>[] = [
  {},
  { lr: 0.05, lambd: 0.1, alpha: 0.5 },
  // Averaging from step 5 (μ = 1/max(1, t − t0) falls below 1 after step 4), and from step 2.
  { lr: 0.05, t0: 3 },
  { lr: 0.05, t0: 0, lambd: 0.01 },
  { lr: 0.05, weightDecay: 0.1 },
  { lr: 0.05, maximize: true },
  { lr: 0.1, lambd: 0.05, alpha: 1, t0: 2.5, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "ASGD",
  create: (params, options) => new ASGD(params, options),
  reference: asgdReference,
  cases,
});

bitParitySuite("ASGD", (params, options: Partial<ASGDOptions>) => new ASGD(params, options), cases);

/** torch's option names → ours. */
function fromTorch(options: Record<string, number | boolean>): Partial<ASGDOptions> {
  const { weight_decay: weightDecay, ...rest } = options;
  return weightDecay === undefined ? rest : { ...rest, weightDecay: weightDecay as number };
}

describe("ASGD matches torch 1.13 (test/golden/asgd.json, written by test/golden/asgd.py)", () => {
  it.each(BACKENDS)("every step of every case, to float32 rounding (%s)", async (backend) => {
    const engine = await engineFor(backend);
    for (const c of golden.cases) {
      const initial = Float32Array.from(c.initial);
      const params = [engine.param(initial.subarray(0, c.split)), engine.param(initial.subarray(c.split))];
      const optimizer = new ASGD(params, fromTorch(c.options));
      const joined = (pick: (state: ASGDState, p: Param) => Float32Array) => Float32Array.from([...pick(optimizer.getState(params[0]), params[0]), ...pick(optimizer.getState(params[1]), params[1])]);
      c.steps.forEach((expected, t) => {
        const lr = c.lrAtStep[String(t + 1)];
        if (lr !== undefined) optimizer.paramGroups[0].lr = lr;
        const g = Float32Array.from(c.grads[t]);
        params[0].setGrad(g.subarray(0, c.split));
        params[1].setGrad(g.subarray(c.split));
        optimizer.step();
        const where = `${JSON.stringify(c.options)} step ${t + 1}`;
        // torch keeps η and μ in float32 between steps; here they are float64 numbers.
        expectClose(joined((_, p) => p.data), expected.param, 2e-6, 1e-7, `${where}: param`);
        expectClose(joined((state) => state.ax), expected.ax, 2e-6, 1e-7, `${where}: ax`);
        const { eta, mu } = optimizer.getState(params[1]); // the group's, the same for both tensors
        expectClose([eta, mu], [expected.eta, expected.mu], 1e-7, 0, `${where}: eta, mu`);
      });
      optimizer.dispose();
      for (const p of params) p.dispose();
    }
    engine.dispose();
  });

  it("the fixture averages: μ falls below 1 and ax differs from the parameters in some case", () => {
    const averaged = golden.cases.flatMap((c) => c.steps).filter((s) => s.mu < 1 && s.ax.some((x, i) => x !== s.param[i]));
    expect(averaged.length).toBeGreaterThan(0);
  });
});

describe("ASGD's η and μ", () => {
  it.each(BACKENDS)("start from the lr of the first step, follow the float64 schedule, and survive save/load (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const [p, q] = [engine.param(uniform(6, 1), { name: "w" }), engine.param(uniform(6, 1), { name: "w" })];
    const optimizer = new ASGD([p], { lr: 0.5, t0: 2 });
    expect(optimizer.getState(p)).toMatchObject({ eta: 0.5, mu: 1 });
    optimizer.paramGroups[0].lr = 0.05; // before the first step: torch's lazy state takes this lr
    const ref = asgdReference(6, { lr: 0.05, t0: 2 });
    const p64 = Float64Array.from(p.data);
    for (let t = 1; t <= 5; t++) {
      const g = uniform(6, 20 + t);
      p.setGrad(g);
      optimizer.step();
      ref.step(t, p64, Float64Array.from(g));
      expect(optimizer.getState(p).eta).toBe(ref.eta());
      expect(optimizer.getState(p).mu).toBe(ref.mu());
    }
    expectClose(p.data, p64, 1e-6, 1e-7, "params");
    // A resumed run steps to the same bits as the uninterrupted one.
    const resumed = new ASGD([q], { lr: 0.05, t0: 2 });
    resumed.loadState(optimizer.saveState());
    q.setData(p.data);
    expect(resumed.getState(q)).toMatchObject({ step: 5, eta: ref.eta(), mu: ref.mu() });
    for (const [x, opt] of [[p, optimizer], [q, resumed]] as const) {
      x.setGrad(uniform(6, 99));
      opt.step();
    }
    expectBitEqual(q.data, p.data, "params after resuming");
    expectBitEqual(resumed.getState(q).ax, optimizer.getState(p).ax, "ax after resuming");
    engine.dispose();
  });

  it("copies the parameters into ax while μ is 1, and averages after", async () => {
    const engine = await engineFor("js");
    const p = engine.param(Float32Array.of(1, -2, 3));
    const optimizer = new ASGD([p], { lr: 0.1, t0: 1 });
    p.setGrad(Float32Array.of(0.5, 0.25, -1));
    optimizer.step(); // μ = 1: ax = θ
    expectBitEqual(optimizer.getState(p).ax, p.data, "ax after step 1");
    optimizer.step(); // μ = 1/max(1, 1 − 1) = 1 still
    expectBitEqual(optimizer.getState(p).ax, p.data, "ax after step 2");
    optimizer.step(); // μ = 1/max(1, 2 − 1) = 1 again; step 4 uses μ = 1/2
    const before = optimizer.getState(p).ax.slice();
    optimizer.step();
    const ax = optimizer.getState(p).ax;
    for (let i = 0; i < 3; i++) {
      expect(ax[i]).not.toBe(p.data[i]);
      expect(ax[i]).toBe(Math.fround(before[i] + Math.fround(Math.fround(p.data[i] - before[i]) * 0.5)));
    }
    engine.dispose();
  });

  it("a saved η outside [0, ∞) or μ outside (0, 1] is refused", async () => {
    const engine = await engineFor("js");
    const p = engine.param(3, { name: "p" });
    const optimizer = new ASGD([p]);
    optimizer.step();
    for (const scalars of [{ eta: -1, mu: 1 }, { eta: 0.1, mu: 0 }, { eta: 0.1, mu: 1.5 }]) {
      expectRejected(optimizer, rewriteHeader(optimizer.saveState(), (h) => (h.groups[0].scalars = scalars)), /eta|mu/);
    }
    engine.dispose();
  });
});

hyperparameterSuite(
  "ASGD",
  (params, options) => new ASGD(params, options),
  [
    ["negative lr", { lr: -0.01 }, /ASGD: invalid lr -0.01, expected a finite number in \[0, Infinity\)/],
    ["NaN lambd", { lambd: NaN }, /invalid lambd NaN/],
    ["negative lambd", { lambd: -1e-4 }, /invalid lambd -0.0001, expected a finite number in \[0, Infinity\)/],
    ["negative alpha", { alpha: -0.75 }, /invalid alpha -0.75/],
    ["infinite t0", { t0: Infinity }, /invalid t0 Infinity/],
    ["negative weightDecay", { weightDecay: -1 }, /invalid weightDecay -1/],
    ["maximize not boolean", { maximize: 1 }, /invalid maximize 1, expected true or false/],
  ],
  [{ lr: 0 }, { lambd: 0 }, { alpha: 0 }, { t0: 0 }, { weightDecay: 1 }],
);
