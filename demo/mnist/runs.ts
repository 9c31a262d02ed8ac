import { Adam, AdamW, SGD, type Optimizer, type Param } from "../../src/index.js";
import { cosine, stepDecay, type LrSchedule } from "./schedules.js";

/** One entry of the comparison: an optimizer with its default learning rate and optional schedule. */
export interface RunSpec {
  /** The name on the command line (`--optimizers adam,sgd-momentum`, `--lr adam=3e-3`). */
  readonly id: string;
  /** The name in tables and charts. */
  readonly label: string;
  /** Default learning rate: a usual value for this optimizer on a small MNIST MLP (see README). */
  readonly lr: number;
  readonly make: (params: Param[], lr: number) => Optimizer<any>;
  /** Multiplies the lr as training progresses; constant when absent. */
  readonly schedule?: LrSchedule;
}

const momentum = { momentum: 0.9 };

// Adding an optimizer to the comparison is one line here.
export const RUNS: readonly RunSpec[] = [
  { id: "sgd", label: "SGD", lr: 0.1, make: (p, lr) => new SGD(p, { lr }) },
  { id: "sgd-momentum", label: "SGD+momentum", lr: 0.02, make: (p, lr) => new SGD(p, { lr, ...momentum }) },
  { id: "nesterov", label: "Nesterov", lr: 0.02, make: (p, lr) => new SGD(p, { lr, ...momentum, nesterov: true }) },
  { id: "sgd-momentum-cosine", label: "SGD+momentum, cosine", lr: 0.05, make: (p, lr) => new SGD(p, { lr, ...momentum }), schedule: cosine },
  { id: "sgd-momentum-step", label: "SGD+momentum, step", lr: 0.05, make: (p, lr) => new SGD(p, { lr, ...momentum }), schedule: stepDecay },
  { id: "adam", label: "Adam", lr: 1e-3, make: (p, lr) => new Adam(p, { lr }) },
  { id: "adamw", label: "AdamW", lr: 1e-3, make: (p, lr) => new AdamW(p, { lr, weightDecay: 1e-2 }) },
];

/** The specs named by `ids`, in the order given; throws on an unknown name. */
export function selectRuns(ids: readonly string[]): RunSpec[] {
  return ids.map((id) => {
    const spec = RUNS.find((run) => run.id === id);
    if (!spec) throw new Error(`unknown optimizer "${id}"; choose from ${RUNS.map((run) => run.id).join(", ")}`);
    return spec;
  });
}
