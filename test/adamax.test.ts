import { Adamax, type AdamaxOptions } from "../src/index.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { adamaxReference } from "./reference/adamax.js";

// Gradients are uniform in [-1, 1), so both arms of the max (β2·u and |g|) are taken; an ε of
// 1e-3 makes the two ε placements differ well beyond the tolerance.
const cases: Partial<AdamaxOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, eps: 1e-3, epsInsideMax: false },
  { lr: 0.05, lrDecay: 0.1 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, maximize: true },
  // TF.js's convention together, and everything at once.
  { lr: 0.1, beta1: 0.8, beta2: 0.9, eps: 1e-7, epsInsideMax: false, lrDecay: 0.1 },
  { lr: 0.02, beta1: 0, beta2: 0.5, eps: 0.05, epsInsideMax: false, lrDecay: 0.2, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "Adamax",
  create: (params, options) => new Adamax(params, options),
  reference: adamaxReference,
  cases,
});

hyperparameterSuite(
  "Adamax",
  (params, options) => new Adamax(params, options),
  [
    ["negative lr", { lr: -2e-3 }, /Adamax: invalid lr -0.002, expected a finite number in \[0, Infinity\)/],
    ["infinite lr", { lr: Infinity }, /invalid lr Infinity/],
    ["negative beta1", { beta1: -0.1 }, /invalid beta1 -0.1, expected a finite number in \[0, 1\)/],
    ["beta1 = 1", { beta1: 1 }, /invalid beta1 1, expected a finite number in \[0, 1\)/],
    ["beta2 = 1", { beta2: 1 }, /invalid beta2 1, expected a finite number in \[0, 1\)/],
    ["NaN beta2", { beta2: NaN }, /invalid beta2 NaN/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["negative eps", { eps: -1e-8 }, /invalid eps -1e-8/],
    ["epsInsideMax not boolean", { epsInsideMax: "no" }, /invalid epsInsideMax "no", expected true or false/],
    ["negative lrDecay", { lrDecay: -0.1 }, /invalid lrDecay -0.1, expected a finite number in \[0, Infinity\)/],
    ["negative weightDecay", { weightDecay: -1 }, /invalid weightDecay -1, expected a finite number in \[0, Infinity\)/],
    ["maximize not boolean", { maximize: 1 }, /invalid maximize 1, expected true or false/],
  ],
  [{ lr: 0 }, { beta1: 0, beta2: 0 }, { beta1: 0.999999, beta2: 0.999999 }, { eps: 1e-30 }, { lrDecay: 0 }, { epsInsideMax: false }],
);
