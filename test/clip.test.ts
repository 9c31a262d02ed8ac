import { describe, expect, it, vi } from "vitest";
import { clipGradNorm, clipGradValue, createEngine, OptimError, SGD, type BackendName, type Engine } from "../src/index.js";
import { BACKENDS, engineFor, SIZES } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { exactSumSquares, float64SumBound } from "./helpers/exactSum.js";
import { uniform } from "./helpers/random.js";
import { expectOptimError } from "./helpers/errors.js";

const f = Math.fround;

/** One parameter holding `values`, its gradient set to them too. */
function gradParam(engine: Engine, values: Float32Array) {
  const param = engine.param(values.length);
  param.setGrad(values);
  return param;
}

describe.each(BACKENDS)("clip kernels on %s", (backend: BackendName) => {
  it.each(SIZES)("sumSquares matches the compensated float64 sum within the float64 bound, n=%i", async (n) => {
    const engine = await engineFor(backend);
    // Offsetting the start by one float makes the SIMD loads unaligned, as for a param inside a group.
    const values = uniform(n + 1, 11 + n, -3, 3);
    const p = gradParam(engine, values);
    const got = engine.kernels.sumSquares(p.gradOffset + 4, n);
    const exact = exactSumSquares(values.subarray(1));
    expect(Math.abs(got - exact)).toBeLessThanOrEqual(float64SumBound(n) * exact);
    engine.dispose();
  });

  it.each(SIZES)("maxAbs is the exact largest |x|, n=%i", async (n) => {
    const engine = await engineFor(backend);
    const values = uniform(n, 21 + n, -2, 2);
    const p = gradParam(engine, values);
    expect(engine.kernels.maxAbs(p.gradOffset, n)).toBe(values.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
    engine.dispose();
  });

  it.each(SIZES)("scale multiplies in float32 and clamp clamps, bit for bit, n=%i", async (n) => {
    const engine = await engineFor(backend);
    const values = uniform(n, 31 + n, -2, 2);
    const p = gradParam(engine, values);
    engine.kernels.scale(p.gradOffset, n, 0.3);
    expectBitEqual(p.grad, values.map((x) => f(f(0.3) * x)), "scaled");
    engine.kernels.clamp(p.gradOffset, n, -0.25, 0.125);
    expectBitEqual(p.grad, values.map((x) => Math.min(Math.max(f(f(0.3) * x), -0.25), 0.125)), "clamped");
    engine.dispose();
  });

  it("finds a NaN or an infinity in the SIMD body and in the tail", async () => {
    const engine = await engineFor(backend);
    for (const at of [0, 5, 8, 1024, 1026]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const values = uniform(1027, at);
        values[at] = bad;
        const p = gradParam(engine, values);
        const sum = engine.kernels.sumSquares(p.gradOffset, values.length);
        const max = engine.kernels.maxAbs(p.gradOffset, values.length);
        expect(Number.isNaN(bad) ? Number.isNaN(sum) : sum === Infinity, `sum with ${bad} at ${at}`).toBe(true);
        expect(Number.isNaN(bad) ? Number.isNaN(max) : max === Infinity, `max with ${bad} at ${at}`).toBe(true);
        p.dispose();
      }
    }
    engine.dispose();
  });
});

describe("clip kernels agree across backends", () => {
  it("sumSquares gives the same float64 bits on every backend (fixed summation order)", async () => {
    const engines = await Promise.all(BACKENDS.map(engineFor));
    for (const n of [...SIZES, 8, 15, 16, 9999]) {
      const values = uniform(n, 41 + n, -100, 100);
      const sums = engines.map((engine) => engine.kernels.sumSquares(gradParam(engine, values).gradOffset, n));
      for (const sum of sums) expect(sum).toBe(sums[0]);
    }
    for (const engine of engines) engine.dispose();
  });
});

describe.each(BACKENDS)("clipGradNorm on %s", (backend: BackendName) => {
  it("returns the total norm and scales by torch's coefficient, computed once for all params", async () => {
    const engine = await engineFor(backend);
    const a = uniform(517, 1, -2, 2), b = uniform(1030, 2, -2, 2);
    const params = [gradParam(engine, a), gradParam(engine, b)];
    const total = Math.sqrt(exactSumSquares(a) + exactSumSquares(b));
    const norm = clipGradNorm(params, 1.5);
    expect(Math.abs(norm - total)).toBeLessThanOrEqual(1e-14 * total);
    // torch.nn.utils.clip_grad_norm_: coef = max_norm / (total + 1e-6), clamped to 1, one float32 multiply.
    const coef = f(1.5 / (norm + 1e-6));
    expectBitEqual(params[0].grad, a.map((x) => f(coef * x)), "first");
    expectBitEqual(params[1].grad, b.map((x) => f(coef * x)), "second");
    engine.dispose();
  });

  it("matches the worked example g = [3, 4], maxNorm 1", async () => {
    const engine = await engineFor(backend);
    const p = gradParam(engine, Float32Array.of(3, 4));
    // ‖[3, 4]‖ = 5 exactly; coef = 1 / (5 + 1e-6) = 0.19999996..., so g ≈ [0.6, 0.8] just inside the unit ball.
    expect(clipGradNorm([p], 1)).toBe(5);
    expectBitEqual(p.grad, Float32Array.of(f(f(1 / 5.000001) * 3), f(f(1 / 5.000001) * 4)));
    expect(Math.hypot(p.grad[0], p.grad[1])).toBeLessThan(1);
    engine.dispose();
  });

  it("leaves gradients untouched when the norm is within maxNorm", async () => {
    const engine = await engineFor(backend);
    const values = uniform(100, 3);
    const p = gradParam(engine, values);
    const norm = clipGradNorm([p], 1e3);
    expect(norm).toBeGreaterThan(0);
    expectBitEqual(p.grad, values);
    engine.dispose();
  });

  it("with normType Infinity returns max |g| and scales by maxNorm / (max + 1e-6)", async () => {
    const engine = await engineFor(backend);
    const values = uniform(1001, 4, -3, 3);
    const p = gradParam(engine, values);
    const max = values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(clipGradNorm([p], 0.5, Infinity)).toBe(max);
    expectBitEqual(p.grad, values.map((x) => f(f(0.5 / (max + 1e-6)) * x)));
    engine.dispose();
  });

  it("makes one kernel pass per contiguous group, not one per tensor", async () => {
    if (backend !== "js") return; // the js kernels are plain functions that can be watched
    const engine = await engineFor(backend);
    const params = [engine.param(10), engine.param(7), engine.param(33)];
    new SGD(params, { lr: 0.1 }); // packs the three gradients into one block
    const spy = vi.spyOn(engine.kernels, "sumSquares");
    clipGradNorm(params, 1);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(params[0].gradOffset, 50);
    engine.dispose();
  });

  it("follows torch on non-finite gradients, or throws NON_FINITE changing nothing when asked", async () => {
    const engine = await engineFor(backend);
    const withNaN = Float32Array.of(1, NaN, 2);
    const p = gradParam(engine, withNaN);
    const error = expectOptimError(() => clipGradNorm([p], 1, 2, { errorIfNonfinite: true }), "NON_FINITE");
    expect(error.message).toContain("index 1");
    expectBitEqual(p.grad, withNaN);
    // torch: a NaN norm makes the coefficient NaN, and every gradient NaN.
    expect(clipGradNorm([p], 1)).toBeNaN();
    expect(Array.from(p.grad).every(Number.isNaN)).toBe(true);
    // torch: an infinite norm makes the coefficient 0: finite entries become 0, infinite ones NaN.
    p.setGrad(Float32Array.of(1, Infinity, -2));
    expect(clipGradNorm([p], 1)).toBe(Infinity);
    expect(Array.from(p.grad)).toEqual([0, NaN, -0]);
    engine.dispose();
  });

  it("rejects bad arguments before touching any gradient", async () => {
    const engine = await engineFor(backend);
    const values = uniform(9, 5, -5, 5);
    const p = gradParam(engine, values);
    expectOptimError(() => clipGradNorm([p], -1), "INVALID_ARGUMENT");
    expectOptimError(() => clipGradNorm([p], NaN), "INVALID_ARGUMENT");
    expectOptimError(() => clipGradNorm([p], "1" as unknown as number), "INVALID_ARGUMENT");
    expectOptimError(() => clipGradNorm([p], 1, 1 as 2), "INVALID_ARGUMENT");
    expectOptimError(() => clipGradNorm([p, p], 1), "DUPLICATE_PARAM");
    expectOptimError(() => clipGradNorm([p, {} as never], 1), "INVALID_ARGUMENT");
    const other = await createEngine({ backend });
    expectOptimError(() => clipGradNorm([p, other.param(3)], 1), "INVALID_ARGUMENT");
    expectOptimError(() => clipGradValue([p], -0.5), "INVALID_ARGUMENT");
    expectBitEqual(p.grad, values);
    const gone = engine.param(3);
    gone.dispose();
    expectOptimError(() => clipGradNorm([p, gone], 1), "DISPOSED");
    expect(clipGradNorm([], 1)).toBe(0);
    other.dispose();
    engine.dispose();
  });
});

describe.each(BACKENDS)("clipGradValue on %s", (backend: BackendName) => {
  it("clamps every entry to [-v, v], keeps NaN, over packed and unpacked params", async () => {
    const engine = await engineFor(backend);
    const a = uniform(1029, 6, -2, 2), b = Float32Array.of(NaN, -Infinity, Infinity, 0.1, -3);
    const params = [gradParam(engine, a), gradParam(engine, uniform(64, 7, -2, 2)), gradParam(engine, b)];
    new SGD(params.slice(0, 2)); // the first two share a block, the third stays alone
    params[0].setGrad(a);
    clipGradValue([params[0], params[2]], 0.75);
    expectBitEqual(params[0].grad, a.map((x) => Math.min(Math.max(x, -0.75), 0.75)));
    expect(Array.from(params[2].grad)).toEqual([NaN, -0.75, 0.75, f(0.1), -0.75]);
    expectBitEqual(params[1].grad, uniform(64, 7, -2, 2), "param not passed");
    engine.dispose();
  });
});
