import { Adadelta, Adagrad, Adam, Adamax, AdamW, LBFGS, Lion, NAdam, RAdam, RMSprop, Rprop, SGD, type FamilyId, type Optimizer, type Param, type StateStorageOptions } from "../../src/index.js";
import { cosine, stepDecay, type ScheduleFactory } from "./schedules.js";

/** One entry of the comparison: an optimizer with its default learning rate and optional schedule. */
export interface RunSpec {
  /** The name on the command line (`--optimizers adam,sgd-momentum`, `--lr adam=3e-3`). */
  readonly id: string;
  /** The name in tables and charts. */
  readonly label: string;
  /**
   * Default learning rate: the best of the grid lr × 2^-2 … 2^2 by validation accuracy (mean of
   * epochs 3–4 of a 4-epoch run, seed 1, batch 32; `demo/mnist/tune.ts`, README).
   */
  readonly lr: number;
  /** `storage` (--state-dtype): the element-wise families' state storage; L-BFGS ignores it. */
  readonly make: (params: Param[], lr: number, storage?: StateStorageOptions) => Optimizer<any>;
  /** The lr as a function of the step, driven by the library's Scheduler; constant when absent. */
  readonly schedule?: ScheduleFactory;
  /** The optimizer takes `step(closure)`, the closure computing the batch's loss and gradients (L-BFGS). */
  readonly closure?: boolean;
  /** Left out of the default run; named with --optimizers. */
  readonly optIn?: boolean;
}

const momentum = { momentum: 0.9 };
const LBFGS_LR = 1;

// Adding an optimizer to the comparison is one entry here; the compiler asks for a new family's.
const BY_FAMILY = {
  sgd: [
    { id: "sgd", label: "SGD", lr: 0.2, make: (p, lr, o) => new SGD(p, { ...o, lr }) },
    { id: "sgd-momentum", label: "SGD+momentum", lr: 0.025, make: (p, lr, o) => new SGD(p, { ...o, lr, ...momentum }) },
    { id: "nesterov", label: "Nesterov", lr: 0.05, make: (p, lr, o) => new SGD(p, { ...o, lr, ...momentum, nesterov: true }) },
    { id: "sgd-momentum-cosine", label: "SGD+momentum, cosine", lr: 0.1, make: (p, lr, o) => new SGD(p, { ...o, lr, ...momentum }), schedule: cosine },
    { id: "sgd-momentum-step", label: "SGD+momentum, step", lr: 0.05, make: (p, lr, o) => new SGD(p, { ...o, lr, ...momentum }), schedule: stepDecay },
  ],
  adam: [
    { id: "adam", label: "Adam", lr: 2e-3, make: (p, lr, o) => new Adam(p, { ...o, lr }) },
  ],
  adamw: [
    { id: "adamw", label: "AdamW", lr: 2e-3, make: (p, lr, o) => new AdamW(p, { ...o, lr, weightDecay: 1e-2 }) },
  ],
  adagrad: [
    { id: "adagrad", label: "Adagrad", lr: 0.06, make: (p, lr, o) => new Adagrad(p, { ...o, lr }) },
  ],
  rmsprop: [
    { id: "rmsprop", label: "RMSprop", lr: 2e-3, make: (p, lr, o) => new RMSprop(p, { ...o, lr }) },
  ],
  adadelta: [
    { id: "adadelta", label: "Adadelta", lr: 1, make: (p, lr, o) => new Adadelta(p, { ...o, lr }) },
  ],
  adamax: [
    { id: "adamax", label: "Adamax", lr: 8e-3, make: (p, lr, o) => new Adamax(p, { ...o, lr }) },
  ],
  nadam: [
    { id: "nadam", label: "NAdam", lr: 1e-3, make: (p, lr, o) => new NAdam(p, { ...o, lr }) },
  ],
  radam: [
    { id: "radam", label: "RAdam", lr: 2e-3, make: (p, lr, o) => new RAdam(p, { ...o, lr }) },
  ],
  lion: [
    { id: "lion", label: "Lion", lr: 2e-4, make: (p, lr, o) => new Lion(p, { ...o, lr }) },
  ],
  rprop: [
    // Rprop is a full-batch method (it adapts on the sign of successive gradients): here on mini-batches.
    { id: "rprop", label: "Rprop", lr: 2.5e-3, make: (p, lr, o) => new Rprop(p, { ...o, lr }) },
  ],
  lbfgs: [
    // L-BFGS is full-batch too; here one quasi-Newton iteration per mini-batch, opt-in.
    { id: "lbfgs", label: "L-BFGS", lr: LBFGS_LR, make: (p, lr) => new LBFGS(p, { lr, maxIter: 1, historySize: 10 }), closure: true, optIn: true },
  ],
} satisfies Record<FamilyId, readonly RunSpec[]>;

export const RUNS: readonly RunSpec[] = Object.values(BY_FAMILY).flat();

/** The runs of a plain `npm start`. */
export const DEFAULT_RUNS: readonly RunSpec[] = RUNS.filter((run) => !run.optIn);

/** The specs named by `ids`, in the order given; throws on an unknown name. */
export function selectRuns(ids: readonly string[]): RunSpec[] {
  return ids.map((id) => {
    const spec = RUNS.find((run) => run.id === id);
    if (!spec) throw new Error(`unknown optimizer "${id}"; choose from ${RUNS.map((run) => run.id).join(", ")}`);
    return spec;
  });
}
