import {
  Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, ASGD, EMA, LBFGS, Lion, Muon, NAdam, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD,
  type FamilyId, type Optimizer, type Param, type StateStorageOptions, type WeightAverage,
} from "../../src/index.js";
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
  /** `storage` (--state-dtype): the element-wise families' state storage (bfloat16 or int8); L-BFGS and the families without compact-state kernels ignore it. */
  readonly make: (params: Param[], lr: number, storage?: StateStorageOptions) => Optimizer<any>;
  /** A second optimizer stepped beside the first (Muon's AdamW for the biases), its lr fixed. */
  readonly companion?: (params: Param[]) => Optimizer<any>;
  /** The lr as a function of the step, driven by the library's Scheduler; constant when absent. */
  readonly schedule?: ScheduleFactory;
  /** The optimizer takes `step(closure)`, the closure computing the batch's loss and gradients (L-BFGS). */
  readonly closure?: boolean;
  /** Weights averaged after every step (EMA, SWA); the run is scored on the average (swapped in). */
  readonly average?: (optimizer: Optimizer<any>) => WeightAverage;
  /** Left out of the default run; named with --optimizers. */
  readonly optIn?: boolean;
  /** Schedule-free: scored at the average x (`eval()` before each epoch's scoring, `train()` after). */
  readonly averaged?: boolean;
}

const momentum = { momentum: 0.9 };
const isMatrix = (p: Param) => p.shape.length === 2;
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
    // The baseline the 2024–26 optimizers are compared with (README): AdamW at its tuned lr, annealed to 0.
    { id: "adamw-cosine", label: "AdamW, cosine", lr: 2e-3, make: (p, lr, o) => new AdamW(p, { ...o, lr, weightDecay: 1e-2 }), schedule: cosine, optIn: true },
    // AdamW's lr (not tuned again), scored on the EMA of its weights. Opt-in: the default run stays as it was.
    { id: "adamw-ema", label: "AdamW + EMA", lr: 2e-3, make: (p, lr, o) => new AdamW(p, { ...o, lr, weightDecay: 1e-2 }), average: (o) => new EMA(o, { decay: 0.999 }), optIn: true },
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
  adafactor: [
    // torch's default lr, not tuned on this job yet (demo/mnist/tune.ts): opt-in until it is.
    { id: "adafactor", label: "Adafactor", lr: 1e-2, make: (p, lr) => new Adafactor(p, { lr }), optIn: true },
  ],
  lbfgs: [
    // L-BFGS is full-batch too; here one quasi-Newton iteration per mini-batch, opt-in.
    { id: "lbfgs", label: "L-BFGS", lr: LBFGS_LR, make: (p, lr) => new LBFGS(p, { lr, maxIter: 1, historySize: 10 }), closure: true, optIn: true },
  ],
  muon: [
    // Muon takes only matrices: the weights; the biases go to AdamW at its tuned lr, as torch's docs
    // pair them. Opt-in: its Newton–Schulz products cost ~0.3 GFLOP a step here (~10× the model's).
    // lr from one-epoch runs (seed 1) at 0.02, 0.005 and 1e-3: validation 92.7% (after 3 epochs; its
    // decoupled decay, 0.1·lr a step, shrank the weights), 96.98% and 97.34%; not tune.ts's grid.
    {
      id: "muon", label: "Muon + AdamW (biases)", lr: 1e-3, optIn: true,
      make: (p, lr) => new Muon(p.filter(isMatrix), { lr }),
      companion: (p) => new AdamW(p.filter((q) => !isMatrix(q)), { lr: 2e-3, weightDecay: 1e-2 }),
    },
  ],
  asgd: [
    // torch's defaults besides lr: t0 = 1e6 never starts the average here, as in torch.
    { id: "asgd", label: "ASGD", lr: 0.2, make: (p, lr) => new ASGD(p, { lr }) },
  ],
  scheduleFreeSgd: [
    { id: "sf-sgd", label: "Schedule-free SGD", lr: 1, make: (p, lr) => new ScheduleFreeSGD(p, { lr }), averaged: true },
  ],
  scheduleFreeAdamW: [
    { id: "sf-adamw", label: "Schedule-free AdamW", lr: 5e-3, make: (p, lr) => new ScheduleFreeAdamW(p, { lr }), averaged: true },
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
