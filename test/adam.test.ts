import { Adam, AdamW, type AdamOptions } from "../src/index.js";
import { referenceSuite } from "./helpers/reference.js";
import { adamReference } from "./reference/adam.js";

const cases: Partial<AdamOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, amsgrad: true },
  { lr: 0.01, maximize: true },
  { lr: 0.02, beta1: 0, beta2: 0.99, amsgrad: true, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "Adam",
  create: (params, options) => new Adam(params, options),
  reference: (n, options) => adamReference(n, options, false),
  cases,
});

referenceSuite({
  name: "AdamW",
  create: (params, options) => new AdamW(params, options),
  reference: (n, options) => adamReference(n, options, true),
  cases: [...cases, { lr: 0.01, weightDecay: 0 }, { lr: 0.05, weightDecay: 0.5, amsgrad: true }],
});
