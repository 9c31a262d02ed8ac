import { invalid } from "../validation.js";
import { checkStart, cubicMinimizer, type LineFunction, type LinePoint, type LineSearchResult } from "./line.js";

export interface StrongWolfeOptions {
  /** Sufficient decrease: φ(t) <= φ(0) + c1·t·φ'(0) (default 1e-4). */
  c1?: number;
  /** Curvature: |φ'(t)| <= c2·|φ'(0)|, with c1 < c2 < 1 (default 0.9, as torch and quasi-Newton methods use). */
  c2?: number;
  /** The most evaluations (default 25, torch's max_ls). */
  maxEvaluations?: number;
  /** Stop refining once the bracket is narrower than this, in units of t (default 1e-9). */
  tolerance?: number;
}

/**
 * A line search for a step satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5
 * and 3.6): it grows the step until it brackets an acceptable one, then narrows the bracket, each new
 * trial the minimizer of the cubic through the two ends (safeguarded to stay inside). The same
 * conditions and defaults as torch.optim.LBFGS's line_search_fn="strong_wolfe"; the code is ours.
 * Needs φ'(0) < 0. On failure (evaluations or bracket exhausted) returns the lowest point found that
 * satisfies sufficient decrease, or t = 0, with success false.
 */
export function strongWolfeLineSearch(phi: LineFunction, value0: number, slope0: number, t0 = 1, options: StrongWolfeOptions = {}): LineSearchResult {
  const owner = "strongWolfeLineSearch";
  const { c1 = 1e-4, c2 = 0.9, maxEvaluations = 25, tolerance = 1e-9 } = options;
  if (typeof c1 !== "number" || !(c1 > 0 && c1 < 1)) invalid(owner, "c1", c1, "a number in (0, 1)");
  if (typeof c2 !== "number" || !(c2 > c1 && c2 < 1)) invalid(owner, "c2", c2, `a number in (c1 = ${c1}, 1)`);
  if (!Number.isSafeInteger(maxEvaluations) || maxEvaluations < 1) invalid(owner, "maxEvaluations", maxEvaluations, "an integer >= 1");
  if (typeof tolerance !== "number" || !(tolerance >= 0)) invalid(owner, "tolerance", tolerance, "a number >= 0");
  checkStart(owner, value0, slope0, t0);

  const point: LinePoint = { value: 0, slope: 0 };
  const sufficient = (t: number, value: number) => value <= value0 + c1 * t * slope0; // false for NaN
  const flat = (slope: number) => Math.abs(slope) <= -c2 * slope0;
  let evaluations = 0;
  const done = (t: number, value: number, slope: number, success: boolean, lastT: number): LineSearchResult =>
    ({ t, value, slope, evaluations, success, lastT });

  // Bracketing: grow t until φ rises or stops decreasing enough, or its slope turns non-negative.
  let prevT = 0, prevF = value0, prevG = slope0;
  let t = t0;
  // The bracket [lo, hi] for the zoom phase: lo is the best point with sufficient decrease so far.
  let loT = 0, loF = value0, loG = slope0, hiT = 0, hiF = 0, hiG = 0;
  let bracketed = false;
  while (evaluations < maxEvaluations) {
    phi(t, point);
    evaluations++;
    const f = point.value, g = point.slope;
    if (!sufficient(t, f) || (evaluations > 1 && f >= prevF)) {
      [loT, loF, loG, hiT, hiF, hiG] = [prevT, prevF, prevG, t, f, g];
      bracketed = true;
      break;
    }
    if (flat(g)) return done(t, f, g, true, t);
    if (g >= 0) {
      [loT, loF, loG, hiT, hiF, hiG] = [t, f, g, prevT, prevF, prevG];
      bracketed = true;
      break;
    }
    const next = cubicMinimizer(prevT, prevF, prevG, t, f, g, t + 0.01 * (t - prevT), 10 * t);
    [prevT, prevF, prevG] = [t, f, g];
    [loT, loF, loG] = [t, f, g];
    t = next;
  }
  // Out of evaluations while still growing: lo is the last point evaluated.
  if (!bracketed) return done(loT, loF, loG, false, loT);

  // Zoom: shrink [lo, hi] keeping φ(lo) lowest with sufficient decrease and φ'(lo)·(hi − lo) < 0.
  let lastT = t;
  while (evaluations < maxEvaluations && Math.abs(hiT - loT) > tolerance) {
    const a = Math.min(loT, hiT), b = Math.max(loT, hiT), margin = 0.1 * (b - a);
    // Safeguard: keep the trial off the ends, so the bracket shrinks by at least a tenth each time.
    const trial = Math.min(Math.max(cubicMinimizer(loT, loF, loG, hiT, hiF, hiG, a, b), a + margin), b - margin);
    phi(trial, point);
    evaluations++;
    lastT = trial;
    const f = point.value, g = point.slope;
    if (!sufficient(trial, f) || f >= loF) {
      [hiT, hiF, hiG] = [trial, f, g];
    } else {
      if (flat(g)) return done(trial, f, g, true, trial);
      if (g * (hiT - loT) >= 0) [hiT, hiF, hiG] = [loT, loF, loG];
      [loT, loF, loG] = [trial, f, g];
    }
  }
  return done(loT, loF, loG, false, lastT);
}
