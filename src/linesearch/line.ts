import { OptimError } from "../errors.js";

/** φ(t) = f(x + t·d) and its slope φ'(t) = ∇f(x + t·d)·d, written by a LineFunction. */
export interface LinePoint {
  value: number;
  slope: number;
}

/**
 * The objective along a search direction: evaluates φ at step t and writes φ(t) and φ'(t) into
 * `out` (an object the search owns and reuses, so evaluations allocate nothing).
 */
export type LineFunction = (t: number, out: LinePoint) => void;

export interface LineSearchResult {
  /** The step accepted (0 when no step satisfied the conditions). */
  readonly t: number;
  /** φ(t) and φ'(t) there. */
  readonly value: number;
  readonly slope: number;
  /** Calls made to the line function. */
  readonly evaluations: number;
  /** Whether t satisfies the search's conditions; if not, t is the best point found (or 0). */
  readonly success: boolean;
  /** The step of the last evaluation, so a caller can tell whether its last gradient belongs to t. */
  readonly lastT: number;
}

/** Checks what every line search needs: a finite start and a descent direction. */
export function checkStart(owner: string, value0: number, slope0: number, t0: number): void {
  if (typeof value0 !== "number" || !Number.isFinite(value0)) throw new OptimError("INVALID_ARGUMENT", `${owner}: φ(0) must be a finite number, got ${String(value0)}`);
  if (!(slope0 < 0) || !Number.isFinite(slope0)) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: the direction must descend (φ'(0) < 0), got φ'(0) = ${String(slope0)}`);
  }
  if (!(t0 > 0) || !Number.isFinite(t0)) throw new OptimError("INVALID_ARGUMENT", `${owner}: the initial step must be a finite number > 0, got ${String(t0)}`);
}

/**
 * The minimizer of the cubic through (t1, f1) and (t2, f2) with slopes g1 and g2 (Nocedal & Wright,
 * Numerical Optimization, eq. 3.59), clamped to [lo, hi]; the middle of [lo, hi] when the cubic has no
 * minimizer or an input is not finite.
 */
export function cubicMinimizer(t1: number, f1: number, g1: number, t2: number, f2: number, g2: number, lo: number, hi: number): number {
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (t1 - t2);
  const disc = d1 * d1 - g1 * g2;
  if (disc >= 0) {
    const d2 = Math.sign(t2 - t1) * Math.sqrt(disc);
    const t = t2 - ((t2 - t1) * (g2 + d2 - d1)) / (g2 - g1 + 2 * d2);
    if (Number.isFinite(t)) return Math.min(Math.max(t, lo), hi);
  }
  return (lo + hi) / 2;
}
