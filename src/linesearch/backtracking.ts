import { invalid } from "../validation.js";
import { checkStart, type LineFunction, type LinePoint, type LineSearchResult } from "./line.js";

export interface BacktrackingOptions {
  /** Sufficient-decrease constant of the Armijo condition φ(t) <= φ(0) + c1·t·φ'(0) (default 1e-4). */
  c1?: number;
  /** The step is multiplied by this after each rejected trial, in (0, 1) (default 0.5). */
  shrink?: number;
  /** The most evaluations to try (default 30). */
  maxEvaluations?: number;
}

/**
 * Backtracking line search: tries t0, t0·shrink, t0·shrink², … until the Armijo condition
 * φ(t) <= φ(0) + c1·t·φ'(0) holds (Nocedal & Wright, Algorithm 3.1). A NaN or infinite φ(t) counts as
 * a failure, so a step that overflows is shrunk. Needs φ'(0) < 0. If no trial passes within
 * maxEvaluations, returns t = 0 with success false: the caller should stay where it was.
 */
export function backtrackingLineSearch(phi: LineFunction, value0: number, slope0: number, t0 = 1, options: BacktrackingOptions = {}): LineSearchResult {
  const owner = "backtrackingLineSearch";
  const { c1 = 1e-4, shrink = 0.5, maxEvaluations = 30 } = options;
  if (typeof c1 !== "number" || !(c1 > 0 && c1 < 1)) invalid(owner, "c1", c1, "a number in (0, 1)");
  if (typeof shrink !== "number" || !(shrink > 0 && shrink < 1)) invalid(owner, "shrink", shrink, "a number in (0, 1)");
  if (!Number.isSafeInteger(maxEvaluations) || maxEvaluations < 1) invalid(owner, "maxEvaluations", maxEvaluations, "an integer >= 1");
  checkStart(owner, value0, slope0, t0);
  const point: LinePoint = { value: 0, slope: 0 };
  let t = t0;
  for (let evaluations = 1; evaluations <= maxEvaluations; evaluations++) {
    phi(t, point);
    if (point.value <= value0 + c1 * t * slope0) return { t, value: point.value, slope: point.slope, evaluations, success: true, lastT: t };
    if (evaluations < maxEvaluations) t *= shrink;
  }
  return { t: 0, value: value0, slope: slope0, evaluations: maxEvaluations, success: false, lastT: t };
}
