import { describe, expect, it } from "vitest";
import { NAdam, type NAdamOptions } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { uniform } from "./helpers/random.js";
import { nadamReference } from "./reference/nadam.js";

const cases: Partial<NAdamOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, momentumDecay: 1 },
  { lr: 0.01, momentumDecay: 0 },
  { lr: 0.01, momentumWarmup: false },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true },
  { lr: 0.01, maximize: true },
  // Keras 3 and Optax conventions, and everything at once.
  { lr: 0.01, eps: 1e-7, momentumDecay: 1, beta2: 0.99 },
  { lr: 0.02, beta1: 0, momentumWarmup: false, weightDecay: 0.05, maximize: true },
  { lr: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-4, weightDecay: 0.05, decoupledWeightDecay: true, momentumDecay: 0.5, maximize: true },
];

referenceSuite({
  name: "NAdam",
  create: (params, options) => new NAdam(params, options),
  reference: nadamReference,
  cases,
});

describe("NAdam's muProduct", () => {
  it.each(BACKENDS)("is 1 before the first step and follows the float64 product of μ_t, across option changes (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const p = engine.param(uniform(7, 1));
    const optimizer = new NAdam([p], { lr: 0.01 });
    expect(optimizer.getState(p).muProduct).toBe(1);
    // The oracle for 4 steps at the defaults, then 3 steps with β1 = 0.5 and ψ = 1.
    const first = nadamReference(7, { lr: 0.01 });
    const p64 = Float64Array.from(p.data);
    for (let t = 1; t <= 4; t++) {
      const g = uniform(7, 100 + t);
      p.setGrad(g);
      optimizer.step();
      first.step(t, p64, Float64Array.from(g));
    }
    expect(optimizer.getState(p).muProduct).toBe(first.muProduct());
    optimizer.paramGroups[0].beta1 = 0.5;
    optimizer.paramGroups[0].momentumDecay = 1;
    let expected = first.muProduct();
    for (let t = 5; t <= 7; t++) {
      p.setGrad(uniform(7, 100 + t));
      optimizer.step();
      expected *= 0.5 * (1 - 0.5 * 0.96 ** t);
    }
    // A product rebuilt from the current options would be 0.5⁷·…, far from this one.
    expect(optimizer.getState(p).muProduct).toBeCloseTo(expected, 15);
    expect(optimizer.getState(p).step).toBe(7);
    engine.dispose();
  });
});

hyperparameterSuite(
  "NAdam",
  (params, options) => new NAdam(params, options),
  [
    ["negative lr", { lr: -2e-3 }, /NAdam: invalid lr -0.002, expected a finite number in \[0, Infinity\)/],
    ["NaN lr", { lr: NaN }, /invalid lr NaN/],
    ["negative beta1", { beta1: -0.1 }, /invalid beta1 -0.1, expected a finite number in \[0, 1\)/],
    ["beta1 = 1", { beta1: 1 }, /invalid beta1 1, expected a finite number in \[0, 1\)/],
    ["beta2 = 1", { beta2: 1 }, /invalid beta2 1, expected a finite number in \[0, 1\)/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["negative weightDecay", { weightDecay: -1 }, /invalid weightDecay -1, expected a finite number in \[0, Infinity\)/],
    ["negative momentumDecay", { momentumDecay: -4e-3 }, /invalid momentumDecay -0.004, expected a finite number in \[0, Infinity\)/],
    ["infinite momentumDecay", { momentumDecay: Infinity }, /invalid momentumDecay Infinity/],
    ["momentumWarmup not boolean", { momentumWarmup: 0 }, /invalid momentumWarmup 0, expected true or false/],
    ["decoupledWeightDecay not boolean", { decoupledWeightDecay: "yes" }, /invalid decoupledWeightDecay "yes", expected true or false/],
    ["maximize not boolean", { maximize: null }, /invalid maximize null, expected true or false/],
  ],
  [{ lr: 0 }, { beta1: 0, beta2: 0 }, { momentumDecay: 0 }, { momentumWarmup: false }, { weightDecay: 0.1, decoupledWeightDecay: true }],
);
