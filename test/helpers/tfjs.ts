import type { Optimizer as TfOptimizer } from "@tensorflow/tfjs-core";
import type { BackendName, Optimizer, Param } from "../../src/index.js";
import { engineFor } from "./backends.js";
import { uniform } from "./random.js";

export type Tf = typeof import("@tensorflow/tfjs-core");

/** TensorFlow.js (@tensorflow/tfjs-core on its float32 cpu backend, a devDependency), loaded on first use. */
export async function loadTfjs(): Promise<Tf> {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  return tf;
}

/**
 * `steps` seeded gradient vectors of length n whose element k is scaled by 10^(−6k/(n−1)), from 1
 * down to 1e-6: small gradients are where the placement of ε shows.
 */
export function spreadGradients(n: number, steps: number, seed: number): Float32Array[] {
  return Array.from({ length: steps }, (_, t) => uniform(n, seed + t).map((v, k) => v * 10 ** ((-6 * k) / (n - 1))));
}

/** x after each step of a TF.js optimizer fed `grads` from `start`. */
export async function tfjsTrajectory(make: (tf: Tf) => TfOptimizer, start: Float32Array, grads: readonly Float32Array[]): Promise<Float32Array[]> {
  const tf = await loadTfjs();
  const x = tf.variable(tf.tensor1d(start));
  const optimizer = make(tf);
  const path = grads.map((g) => {
    tf.tidy(() => optimizer.applyGradients({ [x.name]: tf.tensor1d(g) }));
    return x.dataSync() as Float32Array;
  });
  optimizer.dispose();
  x.dispose();
  return path;
}

/** x after each step of one of our optimizers, on `backend`, fed the same gradients. */
export async function ourTrajectory(backend: BackendName, make: (params: Param[]) => Optimizer<any>, start: Float32Array, grads: readonly Float32Array[]): Promise<Float32Array[]> {
  const engine = await engineFor(backend);
  const x = engine.param(start.slice());
  const optimizer = make([x]);
  const path = grads.map((g) => {
    x.setGrad(g);
    optimizer.step();
    return x.data.slice();
  });
  engine.dispose();
  return path;
}
