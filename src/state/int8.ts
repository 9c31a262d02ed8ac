import { BLOCK, SIGNED_VALUES, UNSIGNED_VALUES, int8ScalesAt, quantizeInto } from "../backend/js/int8.js";
import { V5_SIGNED_MAP, V5_UNSIGNED_MAP } from "./int8-v5.js";
import { fromBf16, toBf16 } from "./bfloat16.js";
import type { SlotDtype } from "./layout.js";

// int8 slots outside the kernels: dequantized views for getState, and the conversions a load makes
// (float32 ↔ int8 ↔ bfloat16, and version-5 int8 codes), all through float32 values of the whole
// group slot, since blocks are counted from the group's first element.

/** The values of `codes` (a run from element `first` of an int8 group slot of `length` at byte `slot`), dequantized. */
export function dequantizeRun(h: Float32Array, slot: number, length: number, first: number, codes: Uint8Array, signed: boolean): Float32Array {
  const values = signed ? SIGNED_VALUES : UNSIGNED_VALUES, scales = (slot + int8ScalesAt(length)) >>> 2;
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = values[codes[i]] * h[scales + ((first + i) >>> 8)];
  return out;
}

/**
 * A saved or heap slot of `length` numbers in `dtype` (bytes at `bytes[at..]`) as float32 values;
 * `v5` for the int8 codes of a version-5 state (bitsandbytes' dynamic map).
 */
export function slotValues(bytes: Uint8Array, at: number, length: number, dtype: SlotDtype, signed: boolean, v5 = false): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at);
  const out = new Float32Array(length);
  if (dtype === "float32") for (let i = 0; i < length; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === "bfloat16") for (let i = 0; i < length; i++) out[i] = fromBf16(view.getUint16(2 * i, true));
  else {
    const values = v5 ? (signed ? V5_SIGNED_MAP : V5_UNSIGNED_MAP) : signed ? SIGNED_VALUES : UNSIGNED_VALUES, scales = int8ScalesAt(length);
    for (let i = 0; i < length; i++) out[i] = values[view.getUint8(i)] * view.getFloat32(scales + 4 * (i >>> 8), true);
  }
  return out;
}

/** Stores float32 values as a slot in `dtype` at `bytes[at..]` (bfloat16 rounds to nearest even, int8 quantizes as the kernels). */
export function storeValues(values: Float32Array, bytes: Uint8Array, at: number, dtype: SlotDtype, signed: boolean): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at);
  if (dtype === "float32") for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  else if (dtype === "bfloat16") for (let i = 0; i < values.length; i++) view.setUint16(2 * i, toBf16(values[i]), true);
  else {
    const scalesAt = int8ScalesAt(values.length);
    bytes.fill(0, at + values.length, at + scalesAt);
    quantizeInto(values, bytes.subarray(at, at + values.length), (b, bits) => view.setUint32(scalesAt + 4 * b, bits, true), signed);
  }
}

/**
 * The float32 scales of an int8 slot of `length` numbers: a nonnegative slot's must be ≥ 0 or NaN
 * (its codes are all ≥ 0), so the first negative one is returned, else undefined.
 */
export function negativeScale(bytes: Uint8Array, at: number, length: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + int8ScalesAt(length));
  for (let b = 0; b < Math.ceil(length / BLOCK); b++) if (view.getFloat32(4 * b, true) < 0) return view.getFloat32(4 * b, true);
  return undefined;
}
