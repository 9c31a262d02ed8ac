// A small tfjs-layers model on fixed data, for the adapter's tests.
// We load the @tensorflow/tfjs union package, not tfjs-core alone: tfjs-core registers no gradients
// (model.fit and minimize need them), and its register_all_gradients module does not load as ESM in
// Node (extensionless relative imports); the union's Node bundle (CommonJS) registers them all and
// brings tfjs-layers, on the same tfjs-core instance that src/tfjs imports.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { uniform } from "./random.js";

export type TfUnion = typeof import("@tensorflow/tfjs");
type LayersModel = import("@tensorflow/tfjs").LayersModel;
type TfOptimizer = import("@tensorflow/tfjs").Optimizer;

/** TF.js with tfjs-layers on the given backend (the wasm backend's binaries come from its own dist/). */
export async function loadTfjsLayers(backend: "cpu" | "wasm" = "cpu"): Promise<TfUnion> {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
  await tf.ready();
  return tf;
}

/** 6 → 16 (tanh) → 3, with seeded initial weights, so two copies start equal. */
export function denseModel(tf: TfUnion, seed = 1): LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [6], units: 16, activation: "tanh" }), tf.layers.dense({ units: 3 })],
  });
  const weights = model.getWeights().map((w, i) => tf.tensor(uniform(w.size, seed * 100 + i, -0.5, 0.5), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** A fixed batch: 32 inputs of 6 and targets of 3. */
export function fixedBatch(tf: TfUnion): { x: import("@tensorflow/tfjs").Tensor; y: import("@tensorflow/tfjs").Tensor } {
  return { x: tf.tensor2d(uniform(32 * 6, 11), [32, 6]), y: tf.tensor2d(uniform(32 * 3, 12), [32, 3]) };
}

/** Trains a fresh model `steps` times on the fixed batch with `optimizer`; returns its final weights. */
export async function trainedWeights(tf: TfUnion, optimizer: TfOptimizer, steps: number): Promise<Float32Array[]> {
  const model = denseModel(tf);
  model.compile({ optimizer, loss: "meanSquaredError" });
  const { x, y } = fixedBatch(tf);
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const weights = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  tf.dispose([x, y]);
  model.dispose();
  return weights;
}

/**
 * The largest difference relative to its tensor's scale: max over tensors of max|a − b| / max|b|.
 * (Element-wise ratios are meaningless for weights that pass near 0.)
 */
export function relativeDifference(actual: readonly Float32Array[], expected: readonly Float32Array[]): number {
  let worst = 0;
  expected.forEach((e, i) => {
    let diff = 0;
    let scale = 0;
    e.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(actual[i][k] - v));
      scale = Math.max(scale, Math.abs(v));
    });
    worst = Math.max(worst, diff / scale);
  });
  return worst;
}
