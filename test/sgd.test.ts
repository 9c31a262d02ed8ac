import { SGD, type SGDOptions } from "../src/index.js";
import { referenceSuite } from "./helpers/reference.js";
import { sgdReference } from "./reference/sgd.js";

const cases: Partial<SGDOptions>[] = [
  { lr: 0.1 },
  { lr: 0.1, weightDecay: 0.05 },
  { lr: 0.1, maximize: true },
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.05, momentum: 0.9, dampening: 0.3 },
  { lr: 0.05, momentum: 0.9, nesterov: true },
  { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01, maximize: true },
  { lr: 0.05, momentum: 0.9, momentumForm: "ema" },
  { lr: 0.05, momentum: 0.9, momentumForm: "ema", nesterov: true, weightDecay: 0.02 },
];

referenceSuite({
  name: "SGD",
  create: (params, options) => new SGD(params, options),
  reference: sgdReference,
  cases,
});
