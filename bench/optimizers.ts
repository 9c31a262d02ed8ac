// The optimizers the benchmark runs: one line each. `make` builds ours; the peers are optional
// (TF.js has no AdamW or Rprop, jax-js runs Adam only, the plain-JS column only exists where a
// hand-written loop is given). Every peer uses the same hyperparameters as ours where the
// framework has them; speed does not depend on their values.
import type * as tf from "@tensorflow/tfjs-core";
import {
  Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, ASGD, LBFGS, Lion, Muon, NAdam, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD,
  type FamilyId, type Optimizer, type Param,
} from "../src/index.js";
import * as plain from "./impls/plainLoops.js";

export interface BenchOptimizer {
  /** Short id used on the command line and in the JSON. */
  readonly id: string;
  readonly label: string;
  /** Builds our optimizer over the parameters. */
  make(params: Param[]): Optimizer<any>;
  /** The closure `step` is called with, for optimizers that need one (L-BFGS). */
  closure?: () => number;
  /** The TF.js equivalent, when tf.train has one. */
  tfjs?(train: typeof tf.train): tf.Optimizer;
  /** The hand-written plain-JS loop. */
  plain?: plain.PlainLoop;
  /** Whether jax-js runs it (its jitted Adam, bench/impls/jax.ts). */
  jax?: boolean;
  /** Whether the hand-written f32x4 wasm loop runs it (Adam only, bench/wasm/source.ts). */
  bareSimd?: boolean;
  /** The shape a tensor of this length is created with (default: 1-D); Muon takes matrices. */
  shape?(length: number): number[];
  /** The largest N it is measured at (Muon's step is cubic in the matrix size). */
  maxN?: number;
}

/** r×c = length with r the largest divisor of length not above √length: as square as it divides. */
export function nearSquare(length: number): number[] {
  let r = Math.max(1, Math.floor(Math.sqrt(length)));
  while (length % r !== 0) r--;
  return [r, length / r];
}

/** Each family's rows (SGD has three: plain, momentum, Nesterov); the compiler asks for a new family's. */
const BY_FAMILY = {
  sgd: [
    { id: "sgd", label: "SGD", make: (p) => new SGD(p, { lr: 1e-3 }), tfjs: (t) => t.sgd(1e-3), plain: plain.sgd(1e-3) },
    { id: "momentum", label: "SGD+momentum", make: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }), tfjs: (t) => t.momentum(1e-3, 0.9), plain: plain.momentum(1e-3, 0.9, false) },
    { id: "nesterov", label: "Nesterov", make: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9, nesterov: true }), tfjs: (t) => t.momentum(1e-3, 0.9, true), plain: plain.momentum(1e-3, 0.9, true) },
  ],
  adagrad: [
    { id: "adagrad", label: "Adagrad", make: (p) => new Adagrad(p, { lr: 1e-2 }), tfjs: (t) => t.adagrad(1e-2), plain: plain.adagrad(1e-2, 1e-10) },
  ],
  rmsprop: [
    { id: "rmsprop", label: "RMSprop", make: (p) => new RMSprop(p, { lr: 1e-2 }), tfjs: (t) => t.rmsprop(1e-2, 0.99, 0, 1e-8), plain: plain.rmsprop(1e-2, 0.99, 1e-8) },
  ],
  adadelta: [
    { id: "adadelta", label: "Adadelta", make: (p) => new Adadelta(p, {}), tfjs: (t) => t.adadelta(1, 0.9, 1e-6), plain: plain.adadelta(1, 0.9, 1e-6) },
  ],
  rprop: [
    { id: "rprop", label: "Rprop", make: (p) => new Rprop(p, {}) },
  ],
  adam: [
    { id: "adam", label: "Adam", make: (p) => new Adam(p, { lr: 1e-3 }), tfjs: (t) => t.adam(1e-3, 0.9, 0.999, 1e-8), plain: plain.adam(1e-3, 0.9, 0.999, 1e-8), jax: true, bareSimd: true },
  ],
  adamw: [
    { id: "adamw", label: "AdamW", make: (p) => new AdamW(p, { lr: 1e-3 }), plain: plain.adam(1e-3, 0.9, 0.999, 1e-8, 1e-2) },
  ],
  adamax: [
    { id: "adamax", label: "Adamax", make: (p) => new Adamax(p, { lr: 2e-3 }), tfjs: (t) => t.adamax(2e-3, 0.9, 0.999, 1e-8), plain: plain.adamax(2e-3, 0.9, 0.999, 1e-8) },
  ],
  nadam: [
    { id: "nadam", label: "NAdam", make: (p) => new NAdam(p, { lr: 2e-3 }) },
  ],
  radam: [
    { id: "radam", label: "RAdam", make: (p) => new RAdam(p, { lr: 1e-3 }) },
  ],
  lbfgs: [
    // One iteration per step; the closure returns a constant loss and leaves the gradient as filled, so
    // this times L-BFGS's own work (it runs in JS on every backend), not a user's model.
    { id: "lbfgs", label: "L-BFGS", make: (p) => new LBFGS(p, { maxIter: 1 }), closure: () => 1 },
  ],
  lion: [
    { id: "lion", label: "Lion", make: (p) => new Lion(p, { lr: 1e-4 }), plain: plain.lion(1e-4, 0.9, 0.99) },
  ],
  muon: [
    { id: "muon", label: "Muon", make: (p) => new Muon(p, { lr: 1e-3 }), shape: nearSquare, maxN: 1024 * 1024 },
  ],
  adafactor: [
    // The bench's tensors are vectors: this times the unfactored path (per-element variance).
    { id: "adafactor", label: "Adafactor", make: (p) => new Adafactor(p, {}) },
  ],
  asgd: [
    // t0 0: averaging from the second step (the default t0 = 1e6 would time the copy).
    { id: "asgd", label: "ASGD", make: (p) => new ASGD(p, { lr: 1e-2, t0: 0 }), plain: plain.asgd(1e-2, 1e-4, 0.75, 0) },
  ],
  scheduleFreeSgd: [
    { id: "sf-sgd", label: "Schedule-free SGD", make: (p) => new ScheduleFreeSGD(p, { lr: 1e-2 }), plain: plain.scheduleFree(1e-2, 0.9, false) },
  ],
  scheduleFreeAdamW: [
    { id: "sf-adamw", label: "Schedule-free AdamW", make: (p) => new ScheduleFreeAdamW(p, { lr: 2.5e-3 }), plain: plain.scheduleFree(2.5e-3, 0.9, true) },
  ],
} satisfies Record<FamilyId, readonly BenchOptimizer[]>;

export const OPTIMIZERS: readonly BenchOptimizer[] = Object.values(BY_FAMILY).flat();
