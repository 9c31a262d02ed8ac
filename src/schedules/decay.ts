import { invalid } from "../validation.js";
import { checkStep, finite, options, positive, positiveInteger, type Schedule } from "./check.js";
import { copyList } from "../util/list.js";

// Monotone schedules with a closed form, after torch.optim.lr_scheduler (StepLR, MultiStepLR,
// ExponentialLR, PolynomialLR, LinearLR) and Optax (constant_schedule, polynomial_schedule,
// linear_schedule). Each returns the absolute value at a step; torch's schedulers multiply each
// group's initial lr instead, which `Scheduler`'s `relative: true` reproduces (pass init 1).

/** The same value at every step. */
export function constantSchedule(value: number): Schedule {
  finite("constantSchedule", "value", value);
  return (step) => {
    checkStep("constantSchedule", step);
    return value;
  };
}

export interface StepScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** Steps between two decays (torch's step_size). */
  stepSize: number;
  /** The factor applied every stepSize steps (default 0.1, as torch). */
  gamma?: number;
}

/** init·gamma^⌊t / stepSize⌋ (torch StepLR). */
export function stepSchedule(config: StepScheduleOptions): Schedule {
  const owner = "stepSchedule";
  const { init, stepSize, gamma = 0.1 } = options(owner, config, ["init", "stepSize", "gamma"]);
  finite(owner, "init", init);
  positiveInteger(owner, "stepSize", stepSize);
  positive(owner, "gamma", gamma);
  return (step) => {
    checkStep(owner, step);
    return init! * Math.pow(gamma, Math.floor(step / stepSize!));
  };
}

export interface MultiStepScheduleOptions {
  init: number;
  /** Steps at which the value is multiplied by gamma, non-decreasing (a repeated one applies gamma twice, as in torch). */
  milestones: readonly number[];
  /** Default 0.1, as torch. */
  gamma?: number;
}

/** init·gamma^(number of milestones <= t) (torch MultiStepLR). */
export function multiStepSchedule(config: MultiStepScheduleOptions): Schedule {
  const owner = "multiStepSchedule";
  const { init, milestones, gamma = 0.1 } = options(owner, config, ["init", "milestones", "gamma"]);
  finite(owner, "init", init);
  positive(owner, "gamma", gamma);
  if (!Array.isArray(milestones)) invalid(owner, "milestones", milestones, "an array of non-decreasing integers >= 0");
  const sorted = copyList(milestones); // by index: a hole is undefined, and refused below
  sorted.forEach((m, i) => {
    if (!Number.isSafeInteger(m) || m < 0 || (i > 0 && m < sorted[i - 1])) {
      invalid(owner, `milestones[${i}]`, m, `an integer >= ${i > 0 ? sorted[i - 1] : 0} (milestones must be non-decreasing)`);
    }
  });
  return (step) => {
    checkStep(owner, step);
    let passed = 0;
    while (passed < sorted.length && sorted[passed] <= step) passed++;
    return init! * Math.pow(gamma, passed);
  };
}

export interface ExponentialScheduleOptions {
  init: number;
  /** The factor per step. */
  gamma: number;
}

/** init·gamma^t (torch ExponentialLR). */
export function exponentialSchedule(config: ExponentialScheduleOptions): Schedule {
  const owner = "exponentialSchedule";
  const { init, gamma } = options(owner, config, ["init", "gamma"]);
  finite(owner, "init", init);
  positive(owner, "gamma", gamma);
  return (step) => {
    checkStep(owner, step);
    return init! * Math.pow(gamma!, step);
  };
}

export interface PolynomialScheduleOptions {
  init: number;
  /** The value from `steps` on (default 0, as torch PolynomialLR). */
  end?: number;
  /** Default 1 (linear), as torch. */
  power?: number;
  /** Steps to go from init to end (torch's total_iters). */
  steps: number;
}

/** (init − end)·(1 − min(t, steps)/steps)^power + end (Optax polynomial_schedule; torch PolynomialLR is end = 0). */
export function polynomialSchedule(config: PolynomialScheduleOptions): Schedule {
  const owner = "polynomialSchedule";
  const { init, end = 0, power = 1, steps } = options(owner, config, ["init", "end", "power", "steps"]);
  finite(owner, "init", init);
  finite(owner, "end", end);
  positive(owner, "power", power);
  positiveInteger(owner, "steps", steps);
  return (step) => {
    checkStep(owner, step);
    return (init! - end) * Math.pow(1 - Math.min(step, steps!) / steps!, power) + end;
  };
}

export interface LinearScheduleOptions {
  init: number;
  end: number;
  /** Steps to go from init to end; the value stays at end after. */
  steps: number;
}

/** init + (end − init)·min(t, steps)/steps (Optax linear_schedule; torch LinearLR in relative form). */
export function linearSchedule(config: LinearScheduleOptions): Schedule {
  const owner = "linearSchedule";
  const { init, end, steps } = options(owner, config, ["init", "end", "steps"]);
  finite(owner, "init", init);
  finite(owner, "end", end);
  positiveInteger(owner, "steps", steps);
  return (step) => {
    checkStep(owner, step);
    return init! + ((end! - init!) * Math.min(step, steps!)) / steps!;
  };
}

export interface LinearWarmupScheduleOptions {
  /** The value reached at `steps` and kept after. */
  peak: number;
  /** Warm-up length in steps. */
  steps: number;
  /** The value at step 0 (default 0). */
  init?: number;
}

/**
 * Linear warm-up from init (default 0) to peak over `steps`, then constant: `linearSchedule` named for
 * its usual job. Join it with a decay (`joinSchedules`) for warm-up then cosine.
 */
export function linearWarmupSchedule(config: LinearWarmupScheduleOptions): Schedule {
  const owner = "linearWarmupSchedule";
  const { peak, steps, init = 0 } = options(owner, config, ["peak", "steps", "init"]);
  finite(owner, "peak", peak);
  finite(owner, "init", init);
  positiveInteger(owner, "steps", steps);
  return linearSchedule({ init, end: peak!, steps: steps! });
}
