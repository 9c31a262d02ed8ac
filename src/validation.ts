import { describe, OptimError } from "./errors.js";

// The validation vocabulary of every public call: rules for options (optimizers, schedules, line
// searches, clipping) and the one error they throw.

/** A rule for one hyperparameter: its default and a check that says what is wrong, or nothing. */
export interface Rule<T> {
  readonly default: T;
  /** Returns undefined when the value is valid, else the expected range ("in [0, 1)"). */
  check(value: unknown): string | undefined;
}

/** A hyperparameter's value; null only where a rule allows it (Adafactor's eps1: "the float32 epsilon"). */
export type Hyperparameters = Record<string, number | boolean | string | null>;
export type Rules<H extends Hyperparameters> = { readonly [K in keyof H]: Rule<H[K]> };

interface Range {
  min?: number;
  max?: number;
  /** Exclude the bound itself. */
  minOpen?: boolean;
  maxOpen?: boolean;
}

/** A finite number within a range, e.g. num(0.9, { min: 0, max: 1, maxOpen: true }) for [0, 1). */
export function num(defaultValue: number, { min = -Infinity, max = Infinity, minOpen = false, maxOpen = false }: Range = {}): Rule<number> {
  const expected =
    `a finite number in ${minOpen ? "(" : "["}${min}, ${max}${maxOpen ? ")" : "]"}`.replace("[-Infinity", "(-Infinity").replace("Infinity]", "Infinity)");
  return {
    default: defaultValue,
    check(value) {
      if (typeof value !== "number" || !Number.isFinite(value)) return expected;
      if (minOpen ? value <= min : value < min) return expected;
      if (maxOpen ? value >= max : value > max) return expected;
      return undefined;
    },
  };
}

/** null, or a finite number within a range: an option whose null means a value derived elsewhere. */
export function numOrNull(defaultValue: number | null, range: Range = {}): Rule<number | null> {
  const number = num(0, range);
  return {
    default: defaultValue,
    check(value) {
      if (value === null) return undefined;
      const problem = number.check(value);
      return problem === undefined ? undefined : `null or ${problem}`;
    },
  };
}

/** A decay rate β in [0, 1). */
export const beta = (defaultValue: number) => num(defaultValue, { min: 0, max: 1, maxOpen: true });

export function bool(defaultValue: boolean): Rule<boolean> {
  return { default: defaultValue, check: (value) => (typeof value === "boolean" ? undefined : "true or false") };
}

export function oneOf<T extends string>(defaultValue: T, choices: readonly T[]): Rule<T> {
  const expected = `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
  return { default: defaultValue, check: (value) => (choices.includes(value as T) ? undefined : expected) };
}

/** Throws INVALID_HYPERPARAMETER naming the option, its value and the expected range. */
export function invalid(owner: string, key: string, value: unknown, expected: string): never {
  throw new OptimError("INVALID_HYPERPARAMETER", `${owner}: invalid ${key} ${formatValue(value)}, expected ${expected}`);
}

function formatValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Throws INVALID_HYPERPARAMETER naming the first own key of `value` that is not in `known`. */
/**
 * A companion's options: a plain object (not null, not an array, as the optimizers require) with
 * only the known keys; returns it typed.
 */
export function optionsObject<T extends object>(owner: string, options: unknown, known: readonly string[]): T {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object, got ${describe(options)}`);
  }
  checkKnownKeys(owner, options, known);
  return options as T;
}

export function checkKnownKeys(owner: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) invalid(owner, "option", key, `one of ${known.join(", ")}`);
  }
}

/** Checks every rule against `values`; used in constructors and before every step. */
export function checkAll<H extends Hyperparameters>(owner: string, rules: Rules<H>, keys: readonly (keyof H & string)[], values: H): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const problem = rules[key].check(values[key]);
    if (problem !== undefined) invalid(owner, key, values[key], problem);
  }
}
