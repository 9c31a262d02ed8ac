// Moving values between TF.js tensors and the heap: one bulk copy each way per variable.
import * as tf from "@tensorflow/tfjs-core";

/** What we read of tfjs-backend-wasm 4.x: its tensors live in its own wasm heap at `memoryOffset`. */
interface WasmBackendLike {
  dataIdMap?: { get(dataId: object): { memoryOffset?: unknown } | undefined };
  wasm?: { HEAPU8?: unknown };
}

/**
 * A zero-copy view of a float32 tensor held by the wasm backend, or null (another backend, or a
 * layout we do not recognise). dataSync() there would copy once into a fresh array, and we would
 * copy again into the heap; reading in place leaves one copy.
 */
function wasmView(tensor: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== "wasm") return null;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const offset = backend.dataIdMap?.get(tensor.dataId)?.memoryOffset;
  const heap = backend.wasm?.HEAPU8;
  if (typeof offset !== "number" || offset % 4 !== 0 || !(heap instanceof Uint8Array)) return null;
  if (offset + 4 * tensor.size > heap.byteLength) return null;
  return new Float32Array(heap.buffer, heap.byteOffset + offset, tensor.size);
}

/** Copies a float32 tensor's values into `target` (same length). */
export function copyTensorInto(target: Float32Array, tensor: tf.Tensor): void {
  target.set(wasmView(tensor) ?? (tensor.dataSync() as Float32Array));
}

/**
 * Backends whose tf.tensor copies the given values into their own storage at once (tfjs-backend-wasm
 * 4.x: write → move → HEAPU8.set), so a view of our heap can be handed over without a copy of ours.
 * cpu and webgl keep the array they are given (webgl until it uploads), and the heap's memory
 * changes every step: they get a copy.
 */
const COPYING_BACKENDS: ReadonlySet<string> = new Set(["wasm"]);

/** A new tensor holding a copy of `values` (one bulk copy, by us or by the backend). */
export function tensorFromCopy(values: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(COPYING_BACKENDS.has(tf.getBackend()) ? values : values.slice(), shape.slice(), "float32");
}
