import { describe, expect, it } from "vitest";
import { clipGradNorm, type BackendName } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { exactSumSquares, float64SumBound } from "./helpers/exactSum.js";
import { uniform } from "./helpers/random.js";

const N = 10_000_000;

/** Gradients spanning six orders of magnitude, the way a deep net's layers differ. */
function gradients(): Float32Array {
  const values = uniform(N, 2024, -1, 1);
  for (let i = 0; i < N; i++) values[i] *= 10 ** ((i % 7) - 3);
  return values;
}

describe("the gradient norm of 10M elements loses no accuracy", () => {
  const values = gradients();
  const exact = exactSumSquares(values);
  const bound = float64SumBound(N); // ≈ 1.4e-10 relative

  it("a float32 running sum would fail this bound by orders of magnitude (so the test can fail)", () => {
    let sum = Math.fround(0);
    for (let i = 0; i < N; i++) sum = Math.fround(sum + Math.fround(values[i] * values[i]));
    expect(Math.abs(sum - exact) / exact).toBeGreaterThan(1e4 * bound);
  });

  it.each(BACKENDS)("%s: sum of squares within the float64 summation bound of the compensated sum", async (backend: BackendName) => {
    const engine = await engineFor(backend);
    const param = engine.param(N);
    param.setGrad(values);
    const sum = engine.kernels.sumSquares(param.gradOffset, N);
    expect(Math.abs(sum - exact)).toBeLessThanOrEqual(bound * exact);
    // The norm clipGradNorm returns is the square root of that sum.
    expect(clipGradNorm([param], Infinity)).toBe(Math.sqrt(sum));
    engine.dispose();
  });
});
