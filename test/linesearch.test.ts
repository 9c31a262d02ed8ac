import { describe, expect, it } from "vitest";
import { backtrackingLineSearch, strongWolfeLineSearch, type LineFunction } from "../src/index.js";
import { rng } from "./helpers/random.js";

/** φ(t) = (t − m)² + c with its slope, counting calls. */
function parabola(m: number, c = 0): LineFunction & { calls: number } {
  const phi = ((t, out) => {
    phi.calls++;
    out.value = (t - m) ** 2 + c;
    out.slope = 2 * (t - m);
  }) as LineFunction & { calls: number };
  phi.calls = 0;
  return phi;
}

describe("backtracking (Armijo) line search", () => {
  it("halves until sufficient decrease", () => {
    const phi = parabola(0.3, -0.09); // φ(0) = 0, φ'(0) = −0.6
    // t = 1: φ = 0.49 − 0.09 = 0.4 > 0 + 1e-4·1·(−0.6): rejected; t = 0.5: φ = −0.05 <= −3e-5: accepted.
    const result = backtrackingLineSearch(phi, 0, -0.6, 1);
    expect(result).toMatchObject({ t: 0.5, evaluations: 2, success: true, lastT: 0.5 });
    expect(result.value).toBeCloseTo(-0.05, 15);
    expect(phi.calls).toBe(2);
  });

  it("shrinks past NaN and infinite values, and gives up with t = 0", () => {
    const overflow: LineFunction = (t, out) => {
      out.value = t > 0.1 ? Infinity : t > 0.01 ? NaN : -t;
      out.slope = -1;
    };
    // 1, 0.5, …, 0.5⁷ = 0.0078 is the first trial under 0.01, at the 8th evaluation.
    expect(backtrackingLineSearch(overflow, 0, -1, 1)).toMatchObject({ t: 0.5 ** 7, evaluations: 8, success: true });
    const never: LineFunction = (_, out) => {
      out.value = NaN;
      out.slope = NaN;
    };
    expect(backtrackingLineSearch(never, 0, -1, 1, { maxEvaluations: 5 })).toMatchObject({ t: 0, value: 0, evaluations: 5, success: false });
  });

  it("rejects a direction that does not descend, and bad options", () => {
    expect(() => backtrackingLineSearch(parabola(1), 1, 0.5)).toThrow(/INVALID_ARGUMENT.*must descend.*0.5/);
    expect(() => backtrackingLineSearch(parabola(1), NaN, -1)).toThrow(/INVALID_ARGUMENT.*φ\(0\)/);
    expect(() => backtrackingLineSearch(parabola(1), 1, -2, 0)).toThrow(/initial step/);
    expect(() => backtrackingLineSearch(parabola(1), 1, -2, 1, { shrink: 1 })).toThrow(/INVALID_HYPERPARAMETER.*invalid shrink 1/);
    expect(() => backtrackingLineSearch(parabola(1), 1, -2, 1, { c1: 0 })).toThrow(/invalid c1 0/);
  });
});

describe("strong Wolfe line search", () => {
  it("accepts t0 when both conditions hold", () => {
    // φ = (t − 2)²: φ(1) = 1 <= 4 − 4e-4 and |φ'(1)| = 2 <= 0.9·4.
    expect(strongWolfeLineSearch(parabola(2), 4, -4, 1)).toMatchObject({ t: 1, value: 1, evaluations: 1, success: true });
  });

  it("extrapolates to the cubic's minimizer when the slope is still steep", () => {
    // With c2 = 0.1, |φ'(1)| = 2 > 0.4: the cubic through (0, 4, −4) and (1, 1, −2) is this parabola,
    // whose minimizer t = 2 lies in the extrapolation range [1.01, 10].
    expect(strongWolfeLineSearch(parabola(2), 4, -4, 1, { c2: 0.1 })).toMatchObject({ t: 2, value: 0, slope: 0, evaluations: 2, success: true });
  });

  it("zooms into a bracket when t0 overshoots", () => {
    // φ = (t − 0.2)²: φ(1) = 0.64 fails sufficient decrease; the cubic on [0, 1] gives 0.2, inside the safeguard [0.1, 0.9].
    const result = strongWolfeLineSearch(parabola(0.2), 0.04, -0.4, 1);
    expect(result).toMatchObject({ evaluations: 2, success: true });
    expect(result.t).toBeCloseTo(0.2, 12);
  });

  it("on random smooth functions, every success satisfies both conditions", () => {
    const next = rng(7);
    let successes = 0;
    for (let trial = 0; trial < 300; trial++) {
      // φ(t) = a·t² − b·t + Σ cᵢ·sin(wᵢ·t + pᵢ): bounded below, descending at 0 when b is large enough.
      const a = 0.1 + next(), b = 2 + 3 * next();
      const waves = Array.from({ length: 3 }, () => [0.3 * next(), 5 * next(), 6.3 * next()]);
      const phi: LineFunction = (t, out) => {
        out.value = a * t * t - b * t + waves.reduce((s, [c, w, p]) => s + c * Math.sin(w * t + p), 0);
        out.slope = 2 * a * t - b + waves.reduce((s, [c, w, p]) => s + c * w * Math.cos(w * t + p), 0);
      };
      const start = { value: 0, slope: 0 };
      phi(0, start);
      if (start.slope >= 0) continue;
      const t0 = 0.01 + 20 * next();
      const r = strongWolfeLineSearch(phi, start.value, start.slope, t0);
      if (!r.success) continue;
      successes++;
      expect(r.value, `trial ${trial}: sufficient decrease`).toBeLessThanOrEqual(start.value + 1e-4 * r.t * start.slope);
      expect(Math.abs(r.slope), `trial ${trial}: curvature`).toBeLessThanOrEqual(-0.9 * start.slope);
      expect(r.evaluations).toBeLessThanOrEqual(25);
    }
    expect(successes).toBeGreaterThan(250); // the search should rarely run out on such tame functions
  });

  it("validates its options", () => {
    expect(() => strongWolfeLineSearch(parabola(2), 4, -4, 1, { c1: 0.5, c2: 0.4 })).toThrow(/INVALID_HYPERPARAMETER.*invalid c2 0.4, expected a number in \(c1 = 0.5, 1\)/);
    expect(() => strongWolfeLineSearch(parabola(2), 4, -4, 1, { maxEvaluations: 0 })).toThrow(/invalid maxEvaluations 0/);
    expect(() => strongWolfeLineSearch(parabola(2), 4, 4, 1)).toThrow(/INVALID_ARGUMENT.*must descend/);
  });
});

describe("strong Wolfe when it runs out", () => {
  it("while still growing, returns the last point evaluated, with success false", () => {
    // φ(t) = −t descends forever: every trial has slope −1, never flat; the steps grow ×10 at most.
    const phi: LineFunction = (t, out) => {
      out.value = -t;
      out.slope = -1;
    };
    const r = strongWolfeLineSearch(phi, 0, -1, 1, { maxEvaluations: 3 });
    expect(r).toMatchObject({ success: false, evaluations: 3 });
    expect(r.lastT).toBe(r.t); // its gradient is the caller's last one: no need to evaluate again
    expect(r.value).toBe(-r.t);
    expect(r.t).toBeGreaterThan(1);
  });
});
