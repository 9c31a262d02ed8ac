// wasm-optim/tfjs: wasm-optim's optimizers as TensorFlow.js optimizers. Needs @tensorflow/tfjs-core
// (an optional peer dependency: the main entry never imports this file).
import * as tf from "@tensorflow/tfjs-core";
import type { Engine } from "../index.js";
import { WasmOptimizer, type AdapterOptions, type TfjsOptimizerOptions } from "./adapter.js";
import { tfjsEngine } from "./engine.js";
import type { FamilyName } from "./families.js";

export { WasmOptimizer, type AdapterOptions, type TfjsOptimizerOptions } from "./adapter.js";
export { FAMILY_NAMES, type FamilyName, type FamilyOptions, type FamilyHyperparameters } from "./families.js";
export { tfjsEngine } from "./engine.js";

// So that a model saved with includeOptimizer loads with this optimizer (tfjs-layers looks the class up by name).
tf.serialization.registerClass(WasmOptimizer);

/**
 * A TF.js optimizer whose update is wasm-optim's fused kernel:
 * `model.compile({ optimizer: await tfjsOptimizer("adamw", { lr: 1e-3, maxGradNorm: 1 }), loss })`.
 * `family` is any wasm-optim family but lbfgs; `options` are its options (defaults are PyTorch's),
 * maxGradNorm, gradNormType, nonFinite, and `schedule`. Pass `engine` to use your own engine;
 * otherwise every adapter shares one (see tfjsEngine).
 */
export async function tfjsOptimizer<F extends FamilyName>(family: F, options: TfjsOptimizerOptions<F> & { engine?: Engine } = {} as TfjsOptimizerOptions<F>): Promise<WasmOptimizer> {
  const engine = options?.engine ?? (await tfjsEngine());
  return new WasmOptimizer(engine, family, options as TfjsOptimizerOptions);
}

export type { AdapterOptions as TfjsAdapterOptions };
