// The optimizers the page offers. Adding one is one line: a label, its class from the library,
// and the options to show with their starting values (chosen for the default Rosenbrock view:
// RAdam's first steps are un-adapted momentum steps, so its lr starts smaller).
import {
  Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, ASGD, LBFGS, Lion, Lookahead, Muon, NAdam, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD,
  type FamilyId, type Optimizer, type Param,
} from "../src/index.js";

export type OptionValue = number | boolean | string;
export type Options = Record<string, OptionValue>;

export interface OptimizerEntry {
  readonly label: string;
  /** Shown when the page opens. */
  readonly on: boolean;
  readonly options: Readonly<Options>;
  /** The point's parameter shape (default [2]); Muon takes only matrices, so it gets a 1×2 one. */
  readonly shape?: readonly number[];
  make(params: Param[], options: Options): Optimizer<any>;
  /** A companion that drives the optimizer's steps (Lookahead): the page steps and disposes it instead. */
  readonly wrap?: (optimizer: Optimizer<any>) => Stepper;
}

/** What the page steps: an optimizer, or a companion around it. */
export interface Stepper {
  step(closure?: () => number): number | undefined;
  dispose(): void;
}

/** Ties the options to the class, so a misspelt option fails type-checking. */
function entry<O>(label: string, Class: new (params: Param[], options: Partial<O>) => Optimizer<any>, options: Partial<O>, on = false): OptimizerEntry {
  return { label, on, options: options as Options, make: (params, chosen) => new Class(params, chosen as Partial<O>) };
}

/** Each family's entries; the compiler asks for a new family's. */
const BY_FAMILY = {
  sgd: [
    entry("SGD", SGD, { lr: 1e-3, weightDecay: 0 }, true),
    entry("SGD momentum", SGD, { lr: 1e-3, momentum: 0.9, nesterov: false }, true),
  ],
  adam: [
    entry("Adam", Adam, { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, amsgrad: false }, true),
    // Lookahead's slow weights pull the fast Adam path back every k = 5 steps, halfway (α = 0.5).
    { ...entry("Adam + Lookahead", Adam, { lr: 0.05, beta1: 0.9, beta2: 0.999 }), wrap: (o) => new Lookahead(o, { k: 5, alpha: 0.5 }) },
  ],
  adamw: [
    entry("AdamW", AdamW, { lr: 0.05, beta1: 0.9, beta2: 0.999, weightDecay: 0.01 }),
  ],
  rmsprop: [
    entry("RMSprop", RMSprop, { lr: 0.01, alpha: 0.99, momentum: 0, centered: false }),
  ],
  adagrad: [
    entry("Adagrad", Adagrad, { lr: 0.1, initialAccumulatorValue: 0 }),
  ],
  adadelta: [
    entry("Adadelta", Adadelta, { lr: 1, rho: 0.9, eps: 1e-6 }),
  ],
  rprop: [
    entry("Rprop", Rprop, { lr: 0.01, etaMinus: 0.5, etaPlus: 1.2 }),
  ],
  adamax: [
    entry("Adamax", Adamax, { lr: 0.05, beta1: 0.9, beta2: 0.999 }),
  ],
  nadam: [
    entry("NAdam", NAdam, { lr: 0.05, beta1: 0.9, beta2: 0.999 }),
  ],
  radam: [
    entry("RAdam", RAdam, { lr: 0.002, beta1: 0.9, beta2: 0.999 }),
  ],
  lion: [
    entry("Lion", Lion, { lr: 0.005, beta1: 0.9, beta2: 0.99 }),
  ],
  adafactor: [
    entry("Adafactor", Adafactor, { lr: 0.1, beta2Decay: -0.8, d: 1 }),
  ],
  lbfgs: [
    // One quasi-Newton iteration per page step (torch's default runs 20 per step), so paths compare.
    entry("L-BFGS", LBFGS, { lr: 1, maxIter: 1, historySize: 10, lineSearch: "strongWolfe" }),
  ],
  muon: [
    // On a 1×2 matrix Newton–Schulz only normalises: Muon is momentum with unit-length steps of
    // about lr (the quintic leaves the length between ~0.7 and ~1.2). No decay toward the origin here.
    { ...entry("Muon", Muon, { lr: 0.02, momentum: 0.95, nesterov: true, weightDecay: 0 }), shape: [1, 2] },
  ],
  // The path is the parameters: ASGD's last iterate (not its average ax), schedule-free's y (where
  // gradients are taken; its average x, what eval() shows, trails it).
  asgd: [
    entry("ASGD", ASGD, { lr: 1e-3, lambd: 1e-4, alpha: 0.75 }),
  ],
  scheduleFreeSgd: [
    entry("Schedule-free SGD", ScheduleFreeSGD, { lr: 1e-3, momentum: 0.9, warmupSteps: 0 }),
  ],
  scheduleFreeAdamW: [
    entry("Schedule-free AdamW", ScheduleFreeAdamW, { lr: 0.05, beta1: 0.9, beta2: 0.999, warmupSteps: 0 }),
  ],
} satisfies Record<FamilyId, readonly OptimizerEntry[]>;

export const OPTIMIZERS: readonly OptimizerEntry[] = Object.values(BY_FAMILY).flat();
