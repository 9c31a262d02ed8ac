import { describe, expect, it } from "vitest";
import { Adam, LBFGS, type LBFGSOptions } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";

/** A test problem: loss at x, gradient written into g. */
type Objective = (x: Float32Array, g: Float32Array) => number;

const rosenbrock: Objective = (x, g) => {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

/** ½ Σ aᵢ (xᵢ − cᵢ)² in 20 dimensions, curvatures aᵢ = 10^(3i/19) from 1 to 1000: condition number 1e3. */
const N = 20;
const CURVATURE = Array.from({ length: N }, (_, i) => 10 ** ((3 * i) / (N - 1)));
const CENTRE = Array.from({ length: N }, (_, i) => Math.sin(i + 1));
const illConditioned: Objective = (x, g) => {
  let f = 0;
  for (let i = 0; i < N; i++) {
    const r = x[i] - CENTRE[i];
    f += 0.5 * CURVATURE[i] * r * r;
    g[i] = CURVATURE[i] * r;
  }
  return f;
};

interface Case {
  name: string;
  objective: Objective;
  start: number[];
  minimum: number[];
  options: Partial<LBFGSOptions>;
  /** Closure evaluations allowed. */
  maxEvaluations: number;
}

// The evaluation budgets: measured on this implementation (in brackets) with some margin. For
// comparison, SciPy 1.17's L-BFGS-B in float64 (gtol 1e-9) takes 54 evaluations on Rosenbrock from
// (−1.5, 2) and 59 on this quadratic from 0. Tolerance: every coordinate within 1e-4 of the minimum
// (parameters are float32: 1e-4 is ~800 ulps at 1, well above rounding, well below a missed minimum).
const cases: Case[] = [
  { name: "Rosenbrock, strong Wolfe", objective: rosenbrock, start: [-1.5, 2], minimum: [1, 1], options: { lineSearch: "strongWolfe" }, maxEvaluations: 65 }, // [50]
  { name: "Rosenbrock, backtracking", objective: rosenbrock, start: [-1.5, 2], minimum: [1, 1], options: { lineSearch: "backtracking" }, maxEvaluations: 70 }, // [53]
  { name: "Rosenbrock, fixed step", objective: rosenbrock, start: [-1.5, 2], minimum: [1, 1], options: {}, maxEvaluations: 120 }, // [92]
  { name: "quadratic κ = 1e3, strong Wolfe", objective: illConditioned, start: new Array(N).fill(0), minimum: CENTRE, options: { lineSearch: "strongWolfe" }, maxEvaluations: 70 }, // [52]
  { name: "quadratic κ = 1e3, backtracking", objective: illConditioned, start: new Array(N).fill(0), minimum: CENTRE, options: { lineSearch: "backtracking" }, maxEvaluations: 70 }, // [52]
  { name: "quadratic κ = 1e3, fixed step", objective: illConditioned, start: new Array(N).fill(0), minimum: CENTRE, options: {}, maxEvaluations: 70 }, // [52]
];

describe.each(BACKENDS)("LBFGS on %s", (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s reaches the minimum within its evaluation budget", async (_, c) => {
    const engine = await engineFor(backend);
    const x = engine.param(Float32Array.from(c.start));
    const opt = new LBFGS([x], { ...c.options, maxIter: 1000, maxEval: c.maxEvaluations, toleranceGrad: 1e-6 });
    let calls = 0;
    const first = opt.step(() => {
      calls++;
      return c.objective(x.data, x.grad);
    });
    expect(first).toBe(c.objective(Float32Array.from(c.start), new Float32Array(c.start.length)));
    const error = Math.max(...Array.from(x.data, (v, i) => Math.abs(v - c.minimum[i])));
    expect(error, `max |x − x*| after ${calls} evaluations`).toBeLessThan(1e-4);
    expect(calls).toBeLessThanOrEqual(c.maxEvaluations);
    expect(opt.evaluations).toBe(calls);
  });

  it("used like torch: repeated step(closure) with the defaults (20 iterations each)", async () => {
    const engine = await engineFor(backend);
    const x = engine.param(Float32Array.from([-1.5, 2]));
    const opt = new LBFGS([x], { lineSearch: "strongWolfe" });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) losses.push(opt.step(() => rosenbrock(x.data, x.grad)));
    // Each call starts with one evaluation at its starting point; the history carries over.
    expect(losses[0]).toBe(12.5); // (1 + 1.5)² + 100·(2 − 2.25)² = 6.25 + 6.25
    expect(Math.max(...Array.from(x.data, (v) => Math.abs(v - 1)))).toBeLessThan(1e-4);
    expect(opt.iterations).toBeGreaterThan(20);
    expect(opt.getState(x).step).toBe(opt.iterations);
  });
});

describe("LBFGS follows torch.optim.LBFGS", () => {
  it("first step min(1, 1/‖g‖₁)·lr along −g, then a quasi-Newton step", async () => {
    const engine = await engineFor("js");
    const x = engine.param(Float32Array.from([3, -4]));
    const half = (v: Float32Array, g: Float32Array) => {
      g.set(v);
      return 0.5 * (v[0] ** 2 + v[1] ** 2);
    };
    const opt = new LBFGS([x], { maxIter: 1 });
    expect(opt.step(() => half(x.data, x.grad))).toBe(12.5);
    // ‖g‖₁ = 7, so t = 1/7: x = (3 − 3/7, −4 + 4/7) = (18/7, −24/7).
    expect(Array.from(x.data)).toEqual([Math.fround(18 / 7), Math.fround(-24 / 7)]);
    // The pair s = y = −x₀/7 makes H = I and hDiag = 1, so the second step lands on 0, up to the
    // float32 rounding of x₁ (y is computed from rounded values, s = t·d is not): ~1e-7·|x₁|.
    opt.step(() => half(x.data, x.grad));
    for (const v of x.data) expect(Math.abs(v)).toBeLessThan(1e-6);
    expect(opt.evaluations).toBe(2); // maxIter 1 and no line search: one evaluation per step, none after the move
  });

  it("maxEval defaults to ⌊maxIter·5/4⌋; stops at toleranceGrad without moving", async () => {
    const engine = await engineFor("js");
    const p = engine.param(Float32Array.from([1, 1]));
    expect(new LBFGS([p], { maxIter: 8 }).paramGroups[0].maxEval).toBe(10);
    const q = engine.param(Float32Array.from([1, 1]));
    const opt = new LBFGS([q]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearch: "none" });
    opt.step(() => rosenbrock(q.data, q.grad)); // already at the minimum: gradient 0
    expect(opt).toMatchObject({ evaluations: 1, iterations: 0 });
    expect(Array.from(q.data)).toEqual([1, 1]);
  });
});

describe("LBFGS errors change nothing", () => {
  it("needs a closure; a NaN first loss or gradient throws NON_FINITE with nothing moved", async () => {
    const engine = await engineFor("js");
    const x = engine.param(Float32Array.from([1, 2]));
    const opt = new LBFGS([x]);
    expect(() => opt.step()).toThrow(/INVALID_ARGUMENT.*closure/);
    expect(() => opt.step(() => NaN)).toThrow(/NON_FINITE/);
    expect(() =>
      opt.step(() => {
        x.grad.set([1, Infinity]);
        return 1;
      }),
    ).toThrow(/NON_FINITE/);
    expect(() => opt.step((() => "1") as never)).toThrow(/INVALID_ARGUMENT.*number/);
    expect(Array.from(x.data)).toEqual([1, 2]);
    expect(opt.iterations).toBe(0);
  });

  it("rejects a second param group before taking any parameter, step options, bad hyperparameters, state", async () => {
    const engine = await engineFor("js");
    const a = engine.param(2);
    const b = engine.param(2);
    expect(() => new LBFGS([{ params: [a] }, { params: [b] }])).toThrow(/INVALID_ARGUMENT.*single param group/);
    expect(() => new LBFGS([a], { maxGradNorm: 1 } as never)).toThrow(/INVALID_ARGUMENT.*maxGradNorm/);
    expect(() => new LBFGS([a], { historySize: 0 })).toThrow(/INVALID_HYPERPARAMETER.*historySize 0, expected an integer in \[1, 1000000\]/);
    expect(() => new LBFGS([a], { lineSearch: "wolfe" as never })).toThrow(/INVALID_HYPERPARAMETER.*lineSearch "wolfe"/);
    const opt = new LBFGS([a]);
    expect(() => opt.addParamGroup({ params: [b] })).toThrow(/INVALID_ARGUMENT/);
    opt.paramGroups[0].lr = -1;
    expect(() => opt.step(() => 0)).toThrow(/INVALID_HYPERPARAMETER.*lr -1/);
    expect(() => opt.saveState()).toThrow(/STATE_INCOMPATIBLE/);
    // Nothing above kept b: another optimizer may take it.
    expect(() => new Adam([b])).not.toThrow();
  });
});
