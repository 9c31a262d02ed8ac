import { RMSprop, type RMSpropOptions } from "../src/index.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { rmspropReference } from "./reference/rmsprop.js";

const cases: Partial<RMSpropOptions>[] = [
  {},
  { lr: 0.02, alpha: 0.9 },
  { lr: 0.02, eps: 1e-3 },
  { lr: 0.02, eps: 1e-3, epsInsideSqrt: true },
  { lr: 0.02, momentum: 0.9 },
  { lr: 0.02, centered: true },
  { lr: 0.02, centered: true, momentum: 0.5 },
  { lr: 0.02, weightDecay: 0.1 },
  { lr: 0.02, maximize: true },
  // TF.js / Keras conventions together, and everything at once.
  { lr: 0.02, alpha: 0.9, eps: 1e-7, epsInsideSqrt: true, momentum: 0.1, centered: true },
  { lr: 0.01, alpha: 0.8, eps: 1e-2, epsInsideSqrt: true, momentum: 0.7, centered: true, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "RMSprop",
  create: (params, options) => new RMSprop(params, options),
  reference: rmspropReference,
  cases,
  // Centered RMSprop divides by √(v − a²), which float32 cancellation makes less exact; with the
  // defaults, g/√v is ±10 on the first steps, so a momentum buffer that cancels to near 0 keeps an
  // absolute float32 error of a few 1e-6 (1e-7 of the terms it sums).
  rtol: 5e-5,
  atol: 2e-5,
});

hyperparameterSuite(
  "RMSprop",
  (params, options) => new RMSprop(params, options),
  [
    ["negative lr", { lr: -0.01 }, /invalid lr -0.01, expected a finite number in \[0, Infinity\)/],
    ["alpha > 1", { alpha: 1.01 }, /invalid alpha 1.01, expected a finite number in \[0, 1\]/],
    ["alpha < 0", { alpha: -0.1 }, /invalid alpha -0.1/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["NaN eps", { eps: NaN }, /invalid eps NaN/],
    ["epsInsideSqrt not boolean", { epsInsideSqrt: "true" }, /invalid epsInsideSqrt "true", expected true or false/],
    ["momentum = 1", { momentum: 1 }, /invalid momentum 1, expected a finite number in \[0, 1\)/],
    ["negative momentum", { momentum: -0.5 }, /invalid momentum -0.5/],
    ["centered not boolean", { centered: 0 }, /invalid centered 0, expected true or false/],
    ["negative weightDecay", { weightDecay: -0.01 }, /invalid weightDecay -0.01/],
    ["maximize not boolean", { maximize: null }, /invalid maximize null/],
  ],
  [{ alpha: 0 }, { alpha: 1, eps: 1e-3 }, { lr: 0 }, { momentum: 0.999 }],
);
