import type { Kernels } from "../backend/contract.js";
import { OptimError } from "../errors.js";
import type { Param } from "../param.js";
import { beta, num, type Hyperparameters } from "../validation.js";
import { ElementwiseOptimizer, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type OptimizerState, type ParamGroup, type OptimizerOptions } from "./optimizer.js";

/** The options both schedule-free families share (facebookresearch/schedulefree's names, camelCased). */
type ScheduleFreeCommon = {
  /** Learning rate γ (the peak, reached after warmupSteps). */
  lr: number;
  /** L2 weight decay, evaluated at y (default 0). */
  weightDecay: number;
  /** Steps of linear lr warmup: step t uses lr·min(1, t/warmupSteps) (default 0). */
  warmupSteps: number;
  /** Polynomial weighting of the average: step t's weight is t^r·lrMax^weightLrPower (default 0). */
  r: number;
  /** Power of the largest lr so far in the average's weights, so warmup steps count less (default 2). */
  weightLrPower: number;
};

export type ScheduleFreeSGDOptions = ScheduleFreeCommon & {
  /** β, the interpolation between z and the average x, in (0, 1) (default 0.9). */
  momentum: number;
};

export type ScheduleFreeAdamWOptions = ScheduleFreeCommon & {
  /** β1, the interpolation between z and the average x, in (0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, β2 in [0, 1) (default 0.999). */
  beta2: number;
  /** Added to √(v/(1 − β2ᵗ)) (default 1e-8). */
  eps: number;
};

/** What `getState` returns for schedule-free SGD. */
export type ScheduleFreeSGDState = { step: number; z: Float32Array; weightSum: number; lrMax: number; trainMode: number };
/** What `getState` returns for schedule-free AdamW. */
export type ScheduleFreeAdamWState = ScheduleFreeSGDState & { expAvgSq: Float32Array };

const commonRules = (lr: number) => ({
  lr: num(lr, { min: 0 }),
  weightDecay: num(0, { min: 0 }),
  warmupSteps: num(0, { min: 0 }),
  r: num(0, { min: 0 }),
  weightLrPower: num(2, { min: 0 }),
});

/** β in (0, 1): eval() divides by it, and β = 1 would never move y. */
const interpolation = num(0.9, { min: 0, max: 1, minOpen: true, maxOpen: true });

/**
 * Per-group numbers: the sum of the average's weights, the largest lr so far (−1 before the first
 * step, as the reference), and the mode: 1 while the parameters hold y (train), 0 while they hold x.
 */
const scalarParts = {
  scalars: ["weightSum", "lrMax", "trainMode"],
  scalarInit: (_: unknown, name: string) => (name === "weightSum" ? 0 : name === "lrMax" ? -1 : 1),
  rebuildScalars: (): number[] => {
    throw new OptimError("STATE_INCOMPATIBLE", "a version-1 state has no schedule-free weights (these families save version 2 or later)");
  },
  checkScalar: (k: number, value: number) => {
    if (k === 0) return value >= 0 ? undefined : "a number >= 0";
    if (k === 1) return value === -1 || value >= 0 ? undefined : "-1 or a number >= 0";
    return value === 0 || value === 1 ? undefined : "0 or 1";
  },
} as const;

export const SCHEDULE_FREE_SGD_SPEC: OptimizerSpec<ScheduleFreeSGDOptions> = {
  kind: "ScheduleFreeSGD",
  rules: { ...commonRules(1), momentum: interpolation },
  slots: ["z"],
  ...scalarParts,
};

export const SCHEDULE_FREE_ADAMW_SPEC: OptimizerSpec<ScheduleFreeAdamWOptions> = {
  kind: "ScheduleFreeAdamW",
  rules: { ...commonRules(0.0025), beta1: interpolation, beta2: beta(0.999), eps: num(1e-8, { min: 0, minOpen: true }) },
  slots: ["z", "expAvgSq"],
  nonNegativeSlots: ["expAvgSq"],
  ...scalarParts,
};

const TRAIN_MODE = 2; // index of trainMode in the scalars
const Z = 1; // the fresh bit of slot 0, z

/**
 * The part both families share: the average's weight of each step, and the train/eval switch.
 *
 * The parameters hold y (train mode) or x (eval mode); z is state and x is never stored:
 * eval() moves each parameter from y to x = y + (1 − 1/β)·(z − y), train() back with
 * y = x + (1 − β)·(z − x), in place, as the reference's lerp_ calls (fused, one pass per group).
 * A group whose z is not made yet (no step taken) only changes mode, as in the reference.
 *
 * Saving and loading: the mode is saved with the state (`trainMode`) and loadState takes it as
 * saved, without moving the parameters, whose values the state does not hold: load the parameter
 * values saved together with the state. Both modes save and load; the reference recommends saving
 * in eval mode, so the saved weights are x.
 */
abstract class ScheduleFree<H extends ScheduleFreeCommon & Hyperparameters, S extends OptimizerState> extends ElementwiseOptimizer<H, S> {
  private inStepClosure = false;

  /** Whether the parameters hold y, the training point (true from construction until `eval()`). */
  get training(): boolean {
    // A loop, not every(): step calls this, and a step allocates nothing.
    for (let i = 0; i < this.layouts.length; i++) if (this.layouts[i].scalars[TRAIN_MODE] !== 1) return false;
    return true;
  }

  /** Puts the parameters at the training point y (where gradients are taken). Idempotent. */
  train(): void {
    this.switchMode(1);
  }

  /** Puts the parameters at the average x (evaluate and save the model there); `step` then refuses until `train()`. */
  eval(): void {
    this.switchMode(0);
  }

  /** β, the family's interpolation weight. */
  protected abstract interpolation(group: ParamGroup<H>): number;

  /** Runs the family's kernel with this step's lr, lerp form (see the kernel file), y coefficient and whether z is fresh. */
  protected abstract run(kernels: Kernels, group: ParamGroup<H>, layout: SlotsLayout, lr: number, lerpCoef: number, fromZ: boolean, yCoef: number, fresh: boolean): void;

  /** step's first check, before anything is written: every group must be in train mode. */
  protected override beginStep(closure: unknown): void {
    super.beginStep(closure);
    if (!this.training) {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}: step in eval mode (the parameters hold the average x); call train() first`);
    }
  }

  protected override callClosure<T>(closure: () => T): T {
    this.inStepClosure = true;
    try {
      return super.callClosure(closure);
    } finally {
      this.inStepClosure = false;
    }
  }

  protected update(kernels: Kernels, group: ParamGroup<H>, layout: SlotsLayout): void {
    const { warmupSteps, r, weightLrPower } = group;
    const t = layout.step; // the reference's k + 1
    const lr = group.lr * (t - 1 < warmupSteps ? t / warmupSteps : 1);
    const lrMax = Math.max(lr, layout.scalars[1]);
    const weight = Math.pow(t, r) * Math.pow(lrMax, weightLrPower);
    const weightSum = layout.scalars[0] + weight;
    layout.scalars[0] = weightSum;
    layout.scalars[1] = lrMax;
    // The reference catches the division by zero (lr = 0 from the start) and takes 0.
    const c = weightSum === 0 ? 0 : weight / weightSum;
    const fromZ = !(Math.abs(c) < 0.5);
    const yCoef = lr * (this.interpolation(group) * (1 - c) - 1);
    this.run(kernels, group, layout, lr, fromZ ? -(1 - c) : c, fromZ, yCoef, (layout.fresh & Z) !== 0);
  }

  private switchMode(mode: 0 | 1): void {
    this.assertLive();
    if (this.inStepClosure) throw new OptimError("INVALID_ARGUMENT", `${this.kind}: ${mode === 1 ? "train" : "eval"}() called from inside a step's closure`);
    this.checkGroups(); // β is read below: an invalid one throws before anything moves
    const groups = this.paramGroups;
    // Looked up before any group changes: it is what throws WORKER_FAILED after a worker died.
    const kernels = this.engine.kernels;
    this.layouts.forEach((layout, i) => {
      if (layout.scalars[TRAIN_MODE] === mode) return;
      if ((layout.fresh & Z) === 0) {
        const beta = this.interpolation(groups[i]);
        const w = mode === 1 ? 1 - beta : 1 - 1 / beta;
        const fromZ = !(Math.abs(w) < 0.5);
        kernels.lerp(layout.data, layout.slots[0], layout.n, fromZ ? -(1 - w) : w, fromZ);
      }
      layout.scalars[TRAIN_MODE] = mode;
    });
  }
}

/**
 * Schedule-free SGD (Defazio et al., 2024, "The Road Less Scheduled"), as facebookresearch/schedulefree's
 * SGDScheduleFree: no lr schedule is needed; the parameters follow y, an interpolation between the
 * SGD sequence z and its running average x, and x is what to evaluate (call `eval()` first).
 *
 * At step t, with lr_t = lr·min(1, t/warmupSteps), lrMax = max over steps of lr_t, the weight
 * w_t = t^r·lrMax^weightLrPower, c = w_t / Σw (0 while Σw = 0) and d = g + weightDecay·y:
 *   y ← lerp(y, z, c) + lr_t·(β·(1 − c) − 1)·d        z ← z − lr_t·d
 * (x = lerp(y, z, 1 − 1/β) is implied, never stored). z starts as a copy of the parameters at the
 * first step. Differences from the reference: the gradient is not overwritten (the reference adds the
 * weight decay into p.grad), and a new optimizer starts in train mode (the reference's current
 * versions start in eval mode and require `train()` first; its first releases started in train mode).
 *
 * State: `z`, and per group `weightSum`, `lrMax` and `trainMode` (saved and loaded with the state).
 */
export class ScheduleFreeSGD extends ScheduleFree<ScheduleFreeSGDOptions, ScheduleFreeSGDState> {
  constructor(params: readonly Param[] | readonly GroupInput<ScheduleFreeSGDOptions>[], options: OptimizerOptions<ScheduleFreeSGDOptions> = {}) {
    super(SCHEDULE_FREE_SGD_SPEC, params, options);
  }

  protected interpolation(group: ParamGroup<ScheduleFreeSGDOptions>): number {
    return group.momentum;
  }

  protected run(kernels: Kernels, group: ParamGroup<ScheduleFreeSGDOptions>, layout: SlotsLayout, lr: number, lerpCoef: number, fromZ: boolean, yCoef: number, fresh: boolean): void {
    kernels.scheduleFreeSgd(layout.data, layout.grad, layout.slots[0], layout.n, this.gScale(false), group.weightDecay, lerpCoef, yCoef, lr, fromZ, fresh);
  }
}

/**
 * Schedule-free AdamW (Defazio et al., 2024), as facebookresearch/schedulefree's AdamWScheduleFree
 * (without its inner_momentum option, 0 there by default). As ScheduleFreeSGD, with the direction
 *   v ← β2·v + (1 − β2)·g²        d = g / (√(v / (1 − β2ᵗ)) + eps) + weightDecay·y
 * and β1 in the role of β. Default lr 0.0025, as the reference.
 *
 * State: `z`, `expAvgSq`, and per group `weightSum`, `lrMax` and `trainMode`.
 */
export class ScheduleFreeAdamW extends ScheduleFree<ScheduleFreeAdamWOptions, ScheduleFreeAdamWState> {
  constructor(params: readonly Param[] | readonly GroupInput<ScheduleFreeAdamWOptions>[], options: OptimizerOptions<ScheduleFreeAdamWOptions> = {}) {
    super(SCHEDULE_FREE_ADAMW_SPEC, params, options);
  }

  protected interpolation(group: ParamGroup<ScheduleFreeAdamWOptions>): number {
    return group.beta1;
  }

  protected run(kernels: Kernels, group: ParamGroup<ScheduleFreeAdamWOptions>, layout: SlotsLayout, lr: number, lerpCoef: number, fromZ: boolean, yCoef: number, fresh: boolean): void {
    const { beta2 } = group;
    const bcScale = Math.sqrt(1 - Math.pow(beta2, layout.step));
    kernels.scheduleFreeAdamW(
      layout.data, layout.grad, layout.slots[0], layout.slots[1], layout.n,
      this.gScale(false), group.weightDecay, beta2, 1 - beta2, bcScale, group.eps * bcScale, lerpCoef, yCoef, lr, fromZ, fresh,
    );
  }
}
