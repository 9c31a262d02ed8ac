import { Adadelta, type AdadeltaOptions } from "../src/index.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { adadeltaReference } from "./reference/adadelta.js";

const cases: Partial<AdadeltaOptions>[] = [
  {},
  { lr: 0.5, rho: 0.5 },
  { eps: 1e-3 },
  { previousSquareAvg: true },
  { weightDecay: 0.1 },
  { maximize: true },
  // TF.js's convention, and everything at once.
  { lr: 0.1, rho: 0.95, eps: 1e-7, previousSquareAvg: true },
  { lr: 2, rho: 0.8, eps: 1e-4, previousSquareAvg: true, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "Adadelta",
  create: (params, options) => new Adadelta(params, options),
  reference: adadeltaReference,
  cases,
});

hyperparameterSuite(
  "Adadelta",
  (params, options) => new Adadelta(params, options),
  [
    ["negative lr", { lr: -1 }, /invalid lr -1, expected a finite number in \[0, Infinity\)/],
    ["rho > 1", { rho: 1.5 }, /invalid rho 1.5, expected a finite number in \[0, 1\]/],
    ["rho < 0", { rho: -0.1 }, /invalid rho -0.1/],
    ["eps = 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["negative eps", { eps: -1e-6 }, /invalid eps -0.000001/],
    ["previousSquareAvg not boolean", { previousSquareAvg: 1 }, /invalid previousSquareAvg 1, expected true or false/],
    ["negative weightDecay", { weightDecay: -0.5 }, /invalid weightDecay -0.5/],
    ["maximize not boolean", { maximize: 0 }, /invalid maximize 0/],
  ],
  [{ rho: 0 }, { rho: 1 }, { lr: 0 }, { eps: 1e-30 }],
);
