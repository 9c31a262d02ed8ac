import { Rprop, type RpropOptions } from "../src/index.js";
import { hyperparameterSuite } from "./helpers/hyperparameters.js";
import { referenceSuite } from "./helpers/reference.js";
import { rpropReference } from "./reference/rprop.js";

const cases: Partial<RpropOptions>[] = [
  {},
  { lr: 0.1, etaMinus: 0.3, etaPlus: 1.5 },
  // Clamps that bind within 10 steps: the step sizes hit the maximum, then the minimum.
  { lr: 0.01, etaPlus: 2, stepSizeMax: 0.03 },
  { lr: 0.01, etaMinus: 0.1, stepSizeMin: 0.004 },
  { maximize: true },
  { lr: 0.05, etaMinus: 0.2, etaPlus: 1.9, stepSizeMin: 0.02, stepSizeMax: 0.12, maximize: true },
];

referenceSuite({
  name: "Rprop",
  create: (params, options) => new Rprop(params, options),
  reference: rpropReference,
  cases,
});

hyperparameterSuite(
  "Rprop",
  (params, options) => new Rprop(params, options),
  [
    ["negative lr", { lr: -0.01 }, /invalid lr -0.01, expected a finite number in \[0, Infinity\)/],
    ["etaMinus = 0", { etaMinus: 0 }, /invalid etaMinus 0, expected a finite number in \(0, 1\)/],
    ["etaMinus = 1", { etaMinus: 1 }, /invalid etaMinus 1, expected a finite number in \(0, 1\)/],
    ["etaPlus = 1", { etaPlus: 1 }, /invalid etaPlus 1, expected a finite number in \(1, Infinity\)/],
    ["infinite etaPlus", { etaPlus: Infinity }, /invalid etaPlus Infinity/],
    ["negative stepSizeMin", { stepSizeMin: -1e-6 }, /invalid stepSizeMin -0.000001, expected a finite number in \[0, Infinity\)/],
    ["negative stepSizeMax", { stepSizeMax: -1 }, /invalid stepSizeMax -1/],
    ["stepSizeMin > stepSizeMax", { stepSizeMin: 1, stepSizeMax: 0.5 }, /invalid stepSizeMin 1, expected <= stepSizeMax \(0.5\)/],
    ["maximize not boolean", { maximize: "no" }, /invalid maximize "no"/],
  ],
  [{ lr: 0 }, { stepSizeMin: 0 }, { stepSizeMin: 0.1, stepSizeMax: 0.1 }, { etaMinus: 0.999, etaPlus: 1.001 }],
);
