// Checks what TF.js hands applyGradients before anything is touched, so bad input changes nothing.
import * as tf from "@tensorflow/tfjs-core";
import { OptimError } from "../index.js";

/** TF.js's NamedTensor (tfjs-core does not export the type from its index). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** One variable of an applyGradients call; grad null means "skip it this step", as TF.js does. */
export interface GradientEntry {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly grad: tf.Tensor | null;
}

/** Normalizes NamedTensorMap | NamedTensor[] and checks names, variables, dtypes and shapes. */
export function readGradients(input: tf.NamedTensorMap | NamedTensor[]): GradientEntry[] {
  if (input === null || typeof input !== "object") {
    throw new OptimError("INVALID_ARGUMENT", `applyGradients: expected a NamedTensorMap or a NamedTensor[], got ${input === null ? "null" : typeof input}`);
  }
  const pairs: [unknown, unknown][] = Array.isArray(input)
    ? input.map((item: NamedTensor) => [item?.name, item?.tensor])
    : Object.entries(input);
  const variables = tf.engine().registeredVariables;
  const seen = new Set<string>();
  return pairs.map(([name, grad]) => {
    if (typeof name !== "string") throw new OptimError("INVALID_ARGUMENT", `applyGradients: a variable name must be a string, got ${typeof name}`);
    if (seen.has(name)) throw new OptimError("DUPLICATE_PARAM", `applyGradients: variable "${name}" appears more than once`);
    seen.add(name);
    const variable = variables[name];
    if (variable === undefined) throw new OptimError("INVALID_ARGUMENT", `applyGradients: no TF.js variable is named "${name}"`);
    if (variable.dtype !== "float32") throw new OptimError("INVALID_ARGUMENT", `applyGradients: variable "${name}" is ${variable.dtype}; wasm-optim updates float32 only`);
    if (grad === null || grad === undefined) return { name, variable, grad: null };
    if (!(grad instanceof tf.Tensor) || grad.isDisposed) {
      throw new OptimError("INVALID_ARGUMENT", `applyGradients: the gradient of "${name}" is not a live tensor`);
    }
    if (grad.dtype !== "float32") throw new OptimError("INVALID_ARGUMENT", `applyGradients: the gradient of "${name}" is ${grad.dtype}, expected float32`);
    if (!tf.util.arraysEqual(grad.shape, variable.shape)) {
      throw new OptimError("SHAPE_MISMATCH", `applyGradients: the gradient of "${name}" has shape [${grad.shape.join(", ")}], the variable [${variable.shape.join(", ")}]`);
    }
    return { name, variable, grad };
  });
}
