import { beforeAll, describe, expect, it } from "vitest";
import { loadMnist, type Digits } from "../demo/mnist/data.js";
import { Mlp } from "../demo/mnist/model.js";
import { initialWeights } from "../demo/mnist/weights.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { mlpReference, type MlpTensors } from "./reference/mlp.js";

// 19 rows = 4·4 + 3: the GEMM's 4-row tiles and its leftover rows both run.
const ROWS = Uint32Array.from({ length: 19 }, (_, i) => 100 + i);
const NAMES = ["w1", "b1", "w2", "b2"] as const;

const float64 = (): MlpTensors => {
  const init = initialWeights(3);
  return { w1: Float64Array.from(init.w1), b1: Float64Array.from(init.b1), w2: Float64Array.from(init.w2), b2: Float64Array.from(init.b2) };
};

describe("the MNIST MLP", () => {
  let digits: Digits;
  const results = new Map<string, Awaited<ReturnType<typeof gemmGradients>>>();
  beforeAll(async () => {
    digits = loadMnist().train;
    for (const backend of BACKENDS) results.set(backend, await gemmGradients(backend));
  });

  /** Loss and gradients of the GEMM model on `backend` for ROWS, from initialWeights(3). */
  async function gemmGradients(backend: (typeof BACKENDS)[number]) {
    const engine = await engineFor(backend);
    const model = new Mlp(engine, initialWeights(3));
    const loss = model.accumulateGradients(digits, ROWS, 0, ROWS.length);
    const grads = model.params.map((p) => Float32Array.from(p.grad));
    const score = model.evaluate({ count: 100, labels: digits.labels.subarray(0, 100), images: digits.images.subarray(0, 100 * 784) });
    engine.dispose();
    return { loss, grads, score };
  }

  it("reference gradients match central finite differences of the float64 loss", () => {
    const t = float64();
    const { grad } = mlpReference(t, digits, ROWS);
    let checked = 0;
    for (const name of NAMES) {
      const values = t[name];
      // w1 rows 300 and 400 are pixels near the centre, lit in most digits.
      for (const i of [0, 5, values.length - 1, 300 * 128 + 5, 400 * 128 + 77, 350 * 128 + 100]) {
        if (i >= values.length) continue;
        const h = 1e-5;
        const v = values[i];
        values[i] = v + h;
        const up = mlpReference(t, digits, ROWS).loss;
        values[i] = v - h;
        const down = mlpReference(t, digits, ROWS).loss;
        values[i] = v;
        // float64 and h = 1e-5: the quotient's rounding error is ~1e-11, its truncation error ~h²·|f'''|.
        expect(Math.abs((up - down) / (2 * h) - grad[name][i])).toBeLessThan(1e-8 + 1e-6 * Math.abs(grad[name][i]));
        if (grad[name][i] !== 0) checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it.each(BACKENDS)("on %s, the GEMM model's loss and gradients match the float64 reference", (backend) => {
    const { loss, grads } = results.get(backend)!;
    const reference = mlpReference(float64(), digits, ROWS);
    expect(Math.abs(loss - reference.loss)).toBeLessThan(1e-6);
    for (const [k, name] of NAMES.entries()) {
      const want = reference.grad[name];
      const scale = want.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(scale).toBeGreaterThan(0);
      // float32 products summed over up to 784 terms: measured worst 2e-7 of the tensor's largest
      // entry; 1e-5 leaves room and still catches any wrong term (each is ~1e-3 of the scale or more).
      const worst = grads[k].reduce((m, g, i) => Math.max(m, Math.abs(g - want[i])), 0);
      expect(worst).toBeLessThanOrEqual(1e-5 * scale);
    }
  });

  it("gives the same bits on every backend: loss, gradients and scores", () => {
    const [first, ...others] = BACKENDS.map((backend) => results.get(backend)!);
    expect(BACKENDS.length).toBeGreaterThanOrEqual(2);
    for (const other of others) {
      expect(other.loss).toBe(first.loss);
      expect(other.score).toEqual(first.score);
      for (const [k, g] of first.grads.entries()) expect(other.grads[k]).toEqual(g);
    }
  });
});
