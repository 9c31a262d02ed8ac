// TensorFlow.js peers: tf.train optimizers on the "cpu" and "wasm" backends. Each workload's
// variables, gradients and optimizer are created fresh and disposed after.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fillValues, type Impl, type Running, type Workload } from "./types.js";

// The wasm backend loads its binaries from the package's own dist folder (no network).
const require = createRequire(import.meta.url);
setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
tf.env().set("IS_TEST", true); // silences the "install tfjs-node" banner; changes no kernel

let variant = "not loaded";
let nextId = 0;

export async function useTfjsBackend(backend: "cpu" | "wasm"): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to start`);
  await tf.ready();
  if (backend === "wasm") {
    // The same checks the wasm backend makes to choose its binary (simd, threaded-simd or plain).
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    variant = `tfjs-backend-wasm${threads && simd ? "-threaded-simd" : simd ? "-simd" : ""}.wasm`;
  }
}

/** Seeded variables of the given lengths and a gradient for each, on the current backend. */
export function benchVariables(lengths: readonly number[]): { grads: tf.NamedTensorMap; dispose(): void } {
  const variables = lengths.map((length, k) => {
    const values = new Float32Array(length);
    fillValues(values, 2 * k + 1);
    return tf.variable(tf.tensor1d(values), true, `bench${nextId++}`);
  });
  const grads: tf.NamedTensorMap = {};
  variables.forEach((variable, k) => {
    const values = new Float32Array(lengths[k]);
    fillValues(values, 2 * k + 2);
    grads[variable.name] = tf.tensor1d(values);
  });
  return {
    grads,
    dispose() {
      for (const variable of variables) variable.dispose();
      for (const grad of Object.values(grads)) grad.dispose();
    },
  };
}

export function tfjs(backend: "cpu" | "wasm"): Impl {
  return {
    id: `tfjs-${backend}`,
    label: `TF.js ${backend}`,
    describe: () => (backend === "wasm" ? `@tensorflow/tfjs-backend-wasm, loaded ${variant}` : "@tensorflow/tfjs-backend-cpu (plain JS)"),
    supports: (optimizer) => optimizer.tfjs !== undefined,
    async start({ optimizer, lengths }: Workload): Promise<Running> {
      await useTfjsBackend(backend);
      const { grads, dispose } = benchVariables(lengths);
      const opt = optimizer.tfjs!(tf.train);
      return {
        step: () => opt.applyGradients(grads),
        dispose() {
          opt.dispose();
          dispose();
        },
      };
    },
  };
}
