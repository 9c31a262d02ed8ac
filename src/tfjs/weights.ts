// The optimizer's state as TF.js lays it out for model.save(…, { includeOptimizer: true }): the
// iteration count first ("iter"), then named tensors. Ours: per variable "<name>/step" (its group's
// step count, an int32 scalar) and "<name>/<slot>" for each state buffer (expAvg, expAvgSq, …).
import * as tf from "@tensorflow/tfjs-core";
import { OptimError } from "../index.js";
import type { NamedTensor } from "./gradients.js";
import type { ParamState } from "./state.js";

/** A variable's saved state, before it is matched to a live variable. */
export interface SavedVariableState extends ParamState {
  /** Elements per buffer. */
  readonly size: number;
}

export interface ParsedWeights {
  iterations: number;
  /** By variable name, in saved order. */
  states: Map<string, SavedVariableState>;
}

function incompatible(message: string): never {
  throw new OptimError("STATE_INCOMPATIBLE", `setWeights: ${message}`);
}

/** Reads and checks saved weights (every check before the caller changes anything). */
export async function parseWeights(weights: NamedTensor[], slotNames: readonly string[]): Promise<ParsedWeights> {
  if (!Array.isArray(weights) || weights.length === 0) incompatible("expected a NamedTensor[] starting with the iteration count");
  weights.forEach((weight, i) => {
    if (weight === null || typeof weight !== "object") incompatible(`weight ${i} is ${weight === null ? "null" : typeof weight}, expected { name, tensor }`);
    if (!(weight.tensor instanceof tf.Tensor) || weight.tensor.isDisposed) incompatible(`weight ${i} (${JSON.stringify(weight.name)}) has no live tensor`);
  });
  const [iter, ...rest] = weights;
  if (iter.tensor.size !== 1) incompatible("the first weight must be the iteration count, a scalar");
  const iterations = (await iter.tensor.data())[0];
  if (!Number.isSafeInteger(iterations) || iterations < 0) incompatible(`the iteration count ${iterations} is not an integer >= 0`);
  const states = new Map<string, SavedVariableState>();
  for (const { name, tensor } of rest) {
    const cut = typeof name === "string" ? name.lastIndexOf("/") : -1;
    if (cut <= 0) incompatible(`weight ${JSON.stringify(name)} is not "<variable>/<state>" with a tensor`);
    const variable = name.slice(0, cut);
    const key = name.slice(cut + 1);
    const state = states.get(variable) ?? { step: -1, slots: {}, size: -1 };
    states.set(variable, state);
    if (key === "step") {
      const step = (await tensor.data())[0];
      if (tensor.size !== 1 || !Number.isSafeInteger(step) || step < 0) incompatible(`${name} must be a scalar integer >= 0`);
      state.step = step;
      continue;
    }
    if (!slotNames.includes(key)) incompatible(`${name}: "${key}" is not a state of this optimizer (${slotNames.join(", ")})`);
    if (tensor.dtype !== "float32") incompatible(`${name} is ${tensor.dtype}, expected float32`);
    if (state.size !== -1 && state.size !== tensor.size) incompatible(`${name} has ${tensor.size} elements, the other states of "${variable}" ${state.size}`);
    (state as { size: number }).size = tensor.size;
    // A copy: the caller disposes the tensors, and the cpu backend hands out its own array.
    state.slots[key] = ((await tensor.data()) as Float32Array).slice();
  }
  for (const [variable, state] of states) {
    if (state.step < 0) incompatible(`"${variable}/step" is missing`);
    if (state.size < 0 && state.step > 0) incompatible(`"${variable}" has a step count but no state buffers`);
  }
  return { iterations, states };
}

/** Named tensors of one variable's state; the caller owns (and disposes) them. */
export function stateTensors(name: string, shape: readonly number[], state: ParamState, slotNames: readonly string[]): NamedTensor[] {
  const out: NamedTensor[] = [{ name: `${name}/step`, tensor: tf.scalar(state.step, "int32") }];
  for (const slot of slotNames) {
    const values = state.slots[slot];
    if (values) out.push({ name: `${name}/${slot}`, tensor: tf.tensor(values, shape.slice(), "float32") });
  }
  return out;
}
