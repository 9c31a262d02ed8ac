import { describe, expect, it } from "vitest";
import { RAdam, type RAdamOptions } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { radamReference } from "./reference/radam.js";

// ρ_t first exceeds 5 at step 6 for β2 = 0.999, 0.99 and 0.9, so 10 steps cover both the momentum-only
// warm-up and the rectified steps; β2 = 0.5 never rectifies (ρ∞ = 3).
const cases: Partial<RAdamOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, beta2: 0.99, eps: 1e-2, epsAfterCorrection: true },
  { lr: 0.01, beta2: 0.5 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true },
  { lr: 0.01, maximize: true },
  { lr: 0.02, beta1: 0, beta2: 0.9, eps: 1e-3, epsAfterCorrection: true, weightDecay: 0.05, decoupledWeightDecay: true, maximize: true },
];

referenceSuite({
  name: "RAdam",
  create: (params, options) => new RAdam(params, options),
  reference: radamReference,
  cases,
});

describe("RAdam's rectification threshold", () => {
  it.each(BACKENDS)("takes momentum-only steps while ρ_t <= 5 (steps 1–5 at β2 = 0.999) (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const p = engine.param(new Float32Array([0, 0, 0, 0, 0]));
    // β1 = 0: the update is lr·g until rectification; with a constant gradient of 1, m = v = 1 from
    // step 1 on, and each warm-up step moves by exactly lr (a power of two).
    const optimizer = new RAdam([p], { lr: 0.25, beta1: 0 });
    for (let t = 1; t <= 5; t++) {
      p.setGrad(new Float32Array([1, 1, 1, 1, 1]));
      optimizer.step();
      expect(Array.from(p.data)).toEqual(Array(5).fill(-0.25 * t));
    }
    // Step 6 is rectified: ρ_5 ≈ 4.996, ρ_6 ≈ 5.994 and r_6 = 0.025821112801858 (float64, from the
    // TSDoc formula). With m = 1 and v = 1 − β2⁶, the step is lr·r_6·√(1 − β2⁶)/(√v + ε) ≈ lr·r_6.
    p.setGrad(new Float32Array([1, 1, 1, 1, 1]));
    optimizer.step();
    expect(-1.25 - p.data[0]).toBeCloseTo(0.25 * 0.025821112801858, 6);
    engine.dispose();
  });
});

hyperparameterSuite(
  "RAdam",
  (params, options) => new RAdam(params, options),
  [
    ["negative lr", { lr: -1e-3 }, /RAdam: invalid lr -0.001, expected a finite number in \[0, Infinity\)/],
    ["infinite lr", { lr: -Infinity }, /invalid lr -Infinity/],
    ["negative beta1", { beta1: -0.1 }, /invalid beta1 -0.1, expected a finite number in \[0, 1\)/],
    ["beta1 = 1", { beta1: 1 }, /invalid beta1 1, expected a finite number in \[0, 1\)/],
    ["beta2 = 1", { beta2: 1 }, /invalid beta2 1, expected a finite number in \[0, 1\)/],
    ["beta2 > 1", { beta2: 1.5 }, /invalid beta2 1.5, expected a finite number in \[0, 1\)/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["epsAfterCorrection not boolean", { epsAfterCorrection: "true" }, /invalid epsAfterCorrection "true", expected true or false/],
    ["negative weightDecay", { weightDecay: -0.5 }, /invalid weightDecay -0.5, expected a finite number in \[0, Infinity\)/],
    ["decoupledWeightDecay not boolean", { decoupledWeightDecay: 1 }, /invalid decoupledWeightDecay 1, expected true or false/],
    ["maximize not boolean", { maximize: "no" }, /invalid maximize "no", expected true or false/],
  ],
  [{ lr: 0 }, { beta1: 0, beta2: 0 }, { eps: 1e-30 }, { epsAfterCorrection: true }, { weightDecay: 0.1, decoupledWeightDecay: true }],
);
