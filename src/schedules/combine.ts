import { OptimError } from "../errors.js";
import { invalid } from "../validation.js";
import { checkStep, type Schedule } from "./check.js";

/**
 * Joins schedules at boundaries (Optax join_schedules): schedules[0] runs until boundaries[0], then
 * schedules[1] starts from its own step 0, and so on. For warm-up then cosine:
 * `joinSchedules([linearWarmupSchedule({ peak: 1e-3, steps: 500 }), cosineAnnealingSchedule({ init: 1e-3, steps: 9500 })], [500])`.
 * torch's SequentialLR plays the same role with a different handover (it steps the next scheduler
 * from where it was built); this one restarts each schedule's count at its boundary.
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  const owner = "joinSchedules";
  if (!Array.isArray(schedules) || schedules.length === 0) invalid(owner, "schedules", schedules, "a non-empty array of schedules");
  schedules.forEach((s, i) => {
    if (typeof s !== "function") invalid(owner, `schedules[${i}]`, s, "a schedule (a function of the step)");
  });
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    invalid(owner, "boundaries", boundaries, `an array of ${schedules.length - 1} step(s), one fewer than the schedules`);
  }
  boundaries.forEach((b, i) => {
    const least = i === 0 ? 0 : boundaries[i - 1] + 1;
    if (!Number.isSafeInteger(b) || b < least) invalid(owner, `boundaries[${i}]`, b, `an integer >= ${least} (strictly increasing)`);
  });
  const parts = schedules.slice();
  const at = boundaries.slice();
  return (step) => {
    checkStep(owner, step);
    let i = 0;
    while (i < at.length && step >= at[i]) i++;
    return parts[i](i === 0 ? step : step - at[i - 1]);
  };
}

/**
 * A schedule from any function of the step (torch LambdaLR when used with `Scheduler`'s
 * `relative: true`, where the function returns a factor of each group's initial value). The value is
 * checked at every call: a non-finite one throws INVALID_HYPERPARAMETER naming the step.
 */
export function lambdaSchedule(fn: (step: number) => number): Schedule {
  if (typeof fn !== "function") invalid("lambdaSchedule", "fn", fn, "a function of the step");
  return (step) => {
    checkStep("lambdaSchedule", step);
    const value = fn(step);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new OptimError("INVALID_HYPERPARAMETER", `lambdaSchedule: the function returned ${String(value)} at step ${step}, expected a finite number`);
    }
    return value;
  };
}
