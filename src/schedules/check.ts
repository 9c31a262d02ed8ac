import { OptimError } from "../errors.js";
import { checkKnownKeys, invalid } from "../validation.js";

/**
 * Argument checks for the schedule factories: each throws INVALID_HYPERPARAMETER naming the
 * schedule, the argument, its value and what was expected, before the schedule exists.
 */

/** A schedule: the value (an lr, or any hyperparameter) at step t = 0, 1, 2, … */
export type Schedule = (step: number) => number;

export function finite(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) invalid(owner, key, value, "a finite number");
  return value;
}

export function positive(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) invalid(owner, key, value, "a finite number > 0");
  return value;
}

export function nonNegative(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) invalid(owner, key, value, "a finite number >= 0");
  return value;
}

export function positiveInteger(owner: string, key: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) invalid(owner, key, value, "an integer >= 1");
  return value as number;
}

/** A fraction in the open interval (0, 1). */
export function fraction(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0 && value < 1)) invalid(owner, key, value, "a number in (0, 1)");
  return value;
}

export function oneOfChoices<T extends string>(owner: string, key: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) invalid(owner, key, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  return value as T;
}

/** A schedule's options: an object whose own keys are all `known` (a misspelt option is an error, not ignored). */
export function options<T extends object>(owner: string, value: T | undefined, known: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object") throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object`);
  checkKnownKeys(owner, value, known);
  return value;
}


/**
 * The step a schedule is evaluated at: a finite number >= 0. Steps are normally integers; a
 * fraction is allowed (torch's CosineAnnealingWarmRestarts takes fractional epochs).
 */
export function checkStep(owner: string, step: number): void {
  if (typeof step !== "number" || !(step >= 0) || step === Infinity) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: the step must be a finite number >= 0, got ${String(step)}`);
  }
}
