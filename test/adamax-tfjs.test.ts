import { describe, expect, it } from "vitest";
import { Adamax, type AdamaxOptions, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectClose } from "./helpers/close.js";
import { ourTrajectory, spreadGradients, tfjsTrajectory, type Tf } from "./helpers/tfjs.js";
import { uniform } from "./helpers/random.js";

// TF.js's Adamax: tf.train.adamax(learningRate, beta1, beta2, epsilon, decay) is our Adamax with
// { epsInsideMax: false, lrDecay: decay, eps: epsilon }. An omitted epsilon is TF.js's float32
// backend epsilon, 1e-7 (tfjs-core/src/backends/backend.ts, EPSILON_FLOAT32).

describe("TensorFlow.js's published Adamax test values", () => {
  // Source: tensorflow/tfjs, tfjs-core/src/optimizers/adamax_optimizer_test.ts, test 'basic':
  // tf.train.adamax(0.1, 0.8, 0.9, undefined, 0.1) minimising f(x) = Σ x² from x = [2, 4].
  const options: Partial<AdamaxOptions> = { lr: 0.1, beta1: 0.8, beta2: 0.9, eps: 1e-7, epsInsideMax: false, lrDecay: 0.1 };

  it.each(BACKENDS)("%s", async (backend) => {
    const engine = await engineFor(backend);
    const x = engine.param(new Float32Array([2, 4]));
    const optimizer = new Adamax([x], options);
    const step = () =>
      optimizer.step(() => {
        x.grad.set(Array.from(x.data, (v) => 2 * v));
        return x.data.reduce((sum, v) => sum + v * v, 0);
      });

    expect(step()).toBe(20); // f([2, 4]), returned by minimize(f, true) in the same test.
    // Published x after step 1: [1.9, 3.9], asserted by TF.js with expectArraysClose (1e-3 for float32).
    expectClose(x.data, [1.9, 3.9], 0, 1e-3, "published step 1");
    // The test's comment: updates = 0.5·[0.8/4, 1.6/8] = [0.1, 0.1], exact but for ε.
    expectClose(x.data, [1.9, 3.9], 0, 1e-6, "step 1 from the comment's derivation");

    step();
    // Published x after step 2: [1.80697, 3.8086] (TF.js's tolerance, 1e-3).
    expectClose(x.data, [1.80697, 3.8086], 0, 1e-3, "published step 2");
    // The comment derives updates [0.09303, 0.09194] with α = 0.1/(1 + 0.1·1): x = [1.9 − 0.09303,
    // 3.9 − 0.09194] = [1.80697, 3.80806]; the published 3.8086 drops a 0, which TF.js's 1e-3 absorbs.
    // Checked here to the comment's five decimals (without lrDecay x[0] would be 1.79770).
    expectClose(x.data, [1.80697, 3.80806], 0, 1e-5, "step 2 from the comment's derivation");
    engine.dispose();
  });
});

// The same runs as TF.js's own AdamaxOptimizer, 12 steps of gradients spread over six decades.
const n = 8;
const start = uniform(n, 42);
const grads = spreadGradients(n, 12, 300);

const matches: [string, (tf: Tf) => ReturnType<Tf["train"]["adamax"]>, Partial<AdamaxOptions>][] = [
  ["adamax(0.01)", (tf) => tf.train.adamax(0.01), { lr: 0.01, eps: 1e-7, epsInsideMax: false }],
  ["adamax(0.1, 0.8, 0.9, 1e-3, 0.1)", (tf) => tf.train.adamax(0.1, 0.8, 0.9, 1e-3, 0.1), { lr: 0.1, beta1: 0.8, beta2: 0.9, eps: 1e-3, epsInsideMax: false, lrDecay: 0.1 }],
];

describe("the same runs as tf.train.adamax", () => {
  for (const backend of BACKENDS) {
    it.each(matches.map((row) => [row[0], row] as const))(`%s (${backend})`, async (_, [, makeTf, options]) => {
      const expected = await tfjsTrajectory(makeTf, start, grads);
      const actual = await ourTrajectory(backend, (p: Param[]) => new Adamax(p, options), start, grads);
      expected.forEach((x, t) => expectClose(actual[t], x, 1e-5, 1e-6, `x after step ${t + 1}`));
    });
  }

  // Each convention option set back to PyTorch's must miss TF.js by more than the tolerance above:
  // the options are needed, and the comparison can tell the conventions apart.
  const flipped: [string, Partial<AdamaxOptions>][] = [
    ["epsInsideMax: true", { lr: 0.1, beta1: 0.8, beta2: 0.9, eps: 1e-3, epsInsideMax: true, lrDecay: 0.1 }],
    ["lrDecay: 0", { lr: 0.1, beta1: 0.8, beta2: 0.9, eps: 1e-3, epsInsideMax: false, lrDecay: 0 }],
  ];
  it.each(flipped)("with %s, differs from adamax(0.1, 0.8, 0.9, 1e-3, 0.1)", async (_, options) => {
    const expected = await tfjsTrajectory(matches[1][1], start, grads);
    const actual = await ourTrajectory("js", (p: Param[]) => new Adamax(p, options), start, grads);
    let worst = 0;
    expected.forEach((x, t) => x.forEach((v, k) => (worst = Math.max(worst, Math.abs(actual[t][k] - v) - (1e-6 + 1e-5 * Math.abs(v))))));
    expect(worst).toBeGreaterThan(0);
  });
});
