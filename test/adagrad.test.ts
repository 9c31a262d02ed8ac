import { Adagrad, type AdagradOptions } from "../src/index.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { adagradReference } from "./reference/adagrad.js";

const cases: Partial<AdagradOptions>[] = [
  {},
  { lr: 0.1, lrDecay: 0.05 },
  { lr: 0.05, weightDecay: 0.1 },
  { lr: 0.05, initialAccumulatorValue: 0.1 },
  { lr: 0.05, eps: 1e-3 },
  { lr: 0.05, epsInsideSqrt: true, eps: 1e-3 },
  { lr: 0.05, maximize: true },
  // TF.js / Optax together, and everything at once.
  { lr: 0.1, initialAccumulatorValue: 0.1, eps: 1e-7, epsInsideSqrt: true },
  { lr: 0.1, lrDecay: 0.1, weightDecay: 0.05, initialAccumulatorValue: 0.5, eps: 1e-2, epsInsideSqrt: true, maximize: true },
];

referenceSuite({
  name: "Adagrad",
  create: (params, options) => new Adagrad(params, options),
  reference: adagradReference,
  cases,
});

hyperparameterSuite(
  "Adagrad",
  (params, options) => new Adagrad(params, options),
  [
    ["negative lr", { lr: -1e-3 }, /invalid lr -0.001, expected a finite number in \[0, Infinity\)/],
    ["NaN lr", { lr: NaN }, /invalid lr NaN/],
    ["negative lrDecay", { lrDecay: -0.1 }, /invalid lrDecay -0.1, expected a finite number in \[0, Infinity\)/],
    ["infinite lrDecay", { lrDecay: Infinity }, /invalid lrDecay Infinity/],
    ["negative weightDecay", { weightDecay: -1 }, /invalid weightDecay -1/],
    ["negative initialAccumulatorValue", { initialAccumulatorValue: -0.1 }, /invalid initialAccumulatorValue -0.1, expected a finite number in \[0, Infinity\)/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["a string eps", { eps: "1e-10" }, /invalid eps "1e-10"/],
    ["epsInsideSqrt not boolean", { epsInsideSqrt: 1 }, /invalid epsInsideSqrt 1, expected true or false/],
    ["maximize not boolean", { maximize: "yes" }, /invalid maximize "yes", expected true or false/],
  ],
  [{ lr: 0 }, { lrDecay: 0 }, { initialAccumulatorValue: 0 }, { eps: 1e-30 }],
);
