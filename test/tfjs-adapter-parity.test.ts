import { describe, expect, it } from "vitest";
import { tfjsOptimizer, type FamilyName, type TfjsOptimizerOptions } from "../src/tfjs/index.js";
import { loadTfjsLayers, trainedWeights, relativeDifference, type TfUnion } from "./helpers/tfjs-layers.js";

// With the convention options of the README's table, the adapter gives TF.js's own optimizers'
// values over 100 trainOnBatch steps of a real tfjs-layers model. Each row: TF.js's optimizer, and
// the family and options that reproduce it (ε: TF.js's float32 backend epsilon, 1e-7). The lrs are
// small enough that the runs stay off the oscillating regime near a minimum of this one batch, where
// rounding differences (our kernels order operations differently) grow chaotically: with
// tf.train.rmsprop(0.01, 0.9, 0.5) two runs part after ~20 steps whatever the optimizer's code.
type Row = [string, (tf: TfUnion) => import("@tensorflow/tfjs").Optimizer, FamilyName, TfjsOptimizerOptions];
const rows: Row[] = [
  ["sgd(0.1)", (tf) => tf.train.sgd(0.1), "sgd", { lr: 0.1 }],
  ["momentum(0.05, 0.9)", (tf) => tf.train.momentum(0.05, 0.9), "sgd", { lr: 0.05, momentum: 0.9 }],
  ["rmsprop(0.001, 0.9, 0.5)", (tf) => tf.train.rmsprop(0.001, 0.9, 0.5), "rmsprop", { lr: 0.001, alpha: 0.9, momentum: 0.5, eps: 1e-7, epsInsideSqrt: true }],
  ["adagrad(0.1)", (tf) => tf.train.adagrad(0.1), "adagrad", { lr: 0.1, initialAccumulatorValue: 0.1, eps: 1e-7, epsInsideSqrt: true }],
  ["adam(0.001)", (tf) => tf.train.adam(0.001), "adam", { lr: 0.001, eps: 1e-7 }],
  ["adamax(0.002)", (tf) => tf.train.adamax(0.002), "adamax", { lr: 0.002, eps: 1e-7, epsInsideMax: false }],
  ["adadelta(1, 0.9)", (tf) => tf.train.adadelta(1, 0.9), "adadelta", { lr: 1, rho: 0.9, eps: 1e-7, previousSquareAvg: true }],
];

const TOLERANCE = 1e-5;

describe.each(["cpu", "wasm"] as const)("the adapter against tf.train on TF.js's %s backend, 100 steps of a dense model", (backend) => {
  it.each(rows.map((row) => [row[0], row] as const))("tf.train.%s", async (_, [, makeTf, family, options]) => {
    const tf = await loadTfjsLayers(backend);
    const theirs = makeTf(tf);
    const expected = await trainedWeights(tf, theirs, 100);
    theirs.dispose();
    const ours = await tfjsOptimizer(family, options);
    const actual = await trainedWeights(tf, ours, 100);
    ours.dispose();
    const start = await trainedWeights(tf, tf.train.sgd(0), 0);
    // The run must have moved the weights well beyond the tolerance, or the comparison says nothing.
    expect(relativeDifference(start, expected)).toBeGreaterThan(0.05);
    expect(relativeDifference(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
  });
});

// The comparison can tell conventions apart: wasm-optim's own (PyTorch's) defaults miss TF.js.
it("misses tf.train.adagrad(0.1) without the TF.js convention options", async () => {
  const tf = await loadTfjsLayers("cpu");
  const expected = await trainedWeights(tf, tf.train.adagrad(0.1), 100);
  const ours = await tfjsOptimizer("adagrad", { lr: 0.1 });
  const actual = await trainedWeights(tf, ours, 100);
  ours.dispose();
  expect(relativeDifference(actual, expected)).toBeGreaterThan(TOLERANCE);
});
