import { describe, expect, it } from "vitest";
import { Lion, type LionOptions } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { lionReference } from "./reference/lion.js";

const cases: Partial<LionOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9 },
  { lr: 0.01, beta1: 0, beta2: 0 },
  { lr: 0.01, weightDecay: 0.5 },
  { lr: 0.01, maximize: true },
  { lr: 0.005, beta1: 0.95, beta2: 0.98, weightDecay: 1, maximize: true },
];

referenceSuite({
  name: "Lion",
  create: (params, options) => new Lion(params, options),
  reference: lionReference,
  cases,
});

describe("Lion's sign", () => {
  it.each(BACKENDS)("moves every weight by exactly ±lr, and not at all where β1·m + (1−β1)·g is zero (%s)", async (backend) => {
    const engine = await engineFor(backend);
    // 6 elements: a SIMD body of 4 and a scalar tail of 2, each with a zero gradient.
    const p = engine.param(new Float32Array([1, 2, 3, 4, 5, 6]));
    const optimizer = new Lion([p], { lr: 0.125 });
    p.setGrad(new Float32Array([0.5, -3, 0, 1e-30, -1e-30, 0]));
    optimizer.step();
    // 0.125 is a power of two, so each expected value below is exact in float32.
    expect(Array.from(p.data)).toEqual([0.875, 2.125, 3, 3.875, 5.125, 6]);
    engine.dispose();
  });

  it("agrees bit for bit across backends on signed zeros, denormals and huge gradients", async () => {
    // 9 elements: SIMD body and scalar tail both see each kind of value.
    const start = new Float32Array([-0, 0, 1, -1, 0.5, 2, -0, 0, 3]);
    const grad = new Float32Array([-0, 0, 1e-45, -1e-45, 3e38, -3e38, 0, -0, 1e-45]);
    const results: Float32Array[][] = [];
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const p = engine.param(start);
      const optimizer = new Lion([p], { lr: 0.25, weightDecay: 0.5 });
      for (let t = 0; t < 3; t++) {
        p.setGrad(grad);
        optimizer.step();
      }
      results.push([p.data.slice(), (optimizer.getState(p).expAvg as Float32Array).slice()]);
      engine.dispose();
    }
    for (const [data, expAvg] of results.slice(1)) {
      expectBitEqual(data, results[0][0], "params");
      expectBitEqual(expAvg, results[0][1], "expAvg");
    }
  });
});

describe("Lion options", () => {
  it("has no eps: passing one is an error, not silently ignored", async () => {
    const engine = await engineFor("js");
    const p = engine.param(3);
    expect(() => new Lion([p], { eps: 1e-8 } as Partial<LionOptions>)).toThrow(/Lion: invalid option "eps"/);
    engine.dispose();
  });
});

hyperparameterSuite(
  "Lion",
  (params, options) => new Lion(params, options),
  [
    ["negative lr", { lr: -1e-4 }, /Lion: invalid lr -0.0001, expected a finite number in \[0, Infinity\)/],
    ["NaN lr", { lr: NaN }, /invalid lr NaN/],
    ["negative beta1", { beta1: -0.5 }, /invalid beta1 -0.5, expected a finite number in \[0, 1\)/],
    ["beta1 = 1", { beta1: 1 }, /invalid beta1 1, expected a finite number in \[0, 1\)/],
    ["beta2 = 1", { beta2: 1 }, /invalid beta2 1, expected a finite number in \[0, 1\)/],
    ["negative weightDecay", { weightDecay: -0.1 }, /invalid weightDecay -0.1, expected a finite number in \[0, Infinity\)/],
    ["infinite weightDecay", { weightDecay: Infinity }, /invalid weightDecay Infinity/],
    ["maximize not boolean", { maximize: "true" }, /invalid maximize "true", expected true or false/],
  ],
  [{ lr: 0 }, { beta1: 0, beta2: 0 }, { weightDecay: 0 }, { weightDecay: 10 }],
);
