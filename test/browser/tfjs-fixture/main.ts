/// <reference types="vite/client" />
// A page that trains a small tfjs-layers model with tf.train.adam and with wasm-optim/tfjs's Adam
// (TF.js conventions) on a chosen TF.js backend, for test/browser/tfjs-adapter.spec.ts.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import plainWasm from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import simdWasm from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import threadedWasm from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { tfjsOptimizer } from "../../../src/tfjs/index.js";

// The binaries come from this site (bundled by Vite), not from a CDN.
setWasmPaths({ "tfjs-backend-wasm.wasm": plainWasm, "tfjs-backend-wasm-simd.wasm": simdWasm, "tfjs-backend-wasm-threaded-simd.wasm": threadedWasm });

const STEPS = 50;

function model(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 16, activation: "tanh", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

/** Trains STEPS batches from the same start; the final weights, and ms per step. */
async function train(optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): Promise<{ weights: Float32Array[]; msPerStep: number }> {
  const m = model();
  m.compile({ optimizer, loss: "meanSquaredError" });
  await m.trainOnBatch(x, y); // warm-up (first-use compilation), not timed
  const start = performance.now();
  for (let i = 1; i < STEPS; i++) await m.trainOnBatch(x, y);
  const msPerStep = (performance.now() - start) / (STEPS - 1);
  const weights = m.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  m.dispose();
  return { weights, msPerStep };
}

/** max over tensors of max|a − b| / max|b| */
function relativeDifference(actual: Float32Array[], expected: Float32Array[]): number {
  return Math.max(...expected.map((e, i) => Math.max(...e.map((v, k) => Math.abs(actual[i][k] - v))) / Math.max(...e.map(Math.abs))));
}

async function run(backend: string) {
  if (!(await tf.setBackend(backend))) return { backend, started: false };
  await tf.ready();
  const x = tf.randomUniform([32, 6], -1, 1, "float32", 11);
  const y = tf.randomUniform([32, 3], -1, 1, "float32", 12);
  const start = model().getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const theirs = await train(tf.train.adam(1e-3), x, y);
  // tf.train.adam's ε is the backend's epsilon: 1e-7, or 1e-4 where WebGL cannot render float32
  // (headless Chromium's software WebGL), so pass the same.
  const adapter = await tfjsOptimizer("adam", { lr: 1e-3, eps: tf.backend().epsilon() });
  const tensorsBefore = tf.memory().numTensors;
  const ours = await train(adapter, x, y);
  const tensorsAfter = tf.memory().numTensors;
  adapter.dispose();
  tf.dispose([x, y]);
  return {
    backend: tf.getBackend(),
    started: true,
    engineBackend: adapter.engine.backend,
    epsilon: tf.backend().epsilon(),
    moved: relativeDifference(start, theirs.weights),
    difference: relativeDifference(ours.weights, theirs.weights),
    tensorsLeaked: tensorsAfter - tensorsBefore,
    tfjsMsPerStep: theirs.msPerStep,
    adapterMsPerStep: ours.msPerStep,
  };
}

(globalThis as { tfjsAdapterPage?: unknown }).tfjsAdapterPage = { run };
document.getElementById("status")!.textContent = "ready";
