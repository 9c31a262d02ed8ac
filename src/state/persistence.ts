import { encodeState, type HyperValue, type SavedGroup, type SavedSettings } from "./format.js";
import { toBf16 } from "./bfloat16.js";
import { BYTES_PER_NUMBER, slotBytes, type SlotDescription, type SlotDtype } from "./layout.js";
import type { Copy } from "./match.js";
import { slotValues, storeValues } from "./int8.js";

// Saving and loading an element-wise optimizer's state, as far as bytes go: the optimizer says what
// it has (a snapshot per group) and where loaded runs go; the container is format.ts, the checks
// that a state fits are match.ts.

/** What one param group saves. */
export interface GroupSnapshot {
  hyper: Record<string, HyperValue>;
  step: number;
  params: readonly { readonly name?: string; readonly shape: readonly number[] }[];
  /** The slots present, in the family's order: each one's bytes and whether a step has used it. */
  slots: readonly { name: string; fresh: boolean; bytes: Uint8Array }[];
  /** The family's per-group numbers, when it keeps any. */
  scalars?: Record<string, number>;
}

/** Encodes an optimizer's state: its family, slot descriptions, step options and groups. */
export function writeState(kind: string, slots: readonly SlotDescription[], settings: SavedSettings, groups: readonly GroupSnapshot[]): Uint8Array {
  const buffers: Uint8Array[] = [];
  const saved = groups.map((group): SavedGroup => {
    for (const slot of group.slots) buffers.push(slot.bytes);
    const out: SavedGroup = {
      hyper: group.hyper,
      step: group.step,
      params: group.params.map((p) => ({ name: p.name ?? null, shape: p.shape.slice() })),
      slots: group.slots.map((slot) => slot.name),
    };
    const fresh = group.slots.filter((slot) => slot.fresh).map((slot) => slot.name);
    if (fresh.length > 0) out.fresh = fresh;
    if (group.scalars) out.scalars = group.scalars;
    return out;
  });
  return encodeState({ kind, slots: slots.map((slot) => ({ ...slot })), settings, groups: saved }, buffers);
}

/**
 * Copies a saved slot's runs of numbers (element indices) from the payload at `from` into the heap at
 * `to` (bytes), converting between storage types: float32 → bfloat16 rounds to nearest even (NaN to
 * the canonical 0xFFFF), bfloat16 → float32 is exact.
 */
export function copyRuns(payload: Uint8Array, from: number, heapBytes: Uint8Array, to: number, copies: readonly Copy[], saved: SlotDtype, here: SlotDtype): void {
  const size = BYTES_PER_NUMBER[saved], heapSize = BYTES_PER_NUMBER[here];
  if (saved === here) {
    for (const copy of copies) {
      const start = from + size * copy.from;
      heapBytes.set(payload.subarray(start, start + size * copy.length), to + size * copy.to);
    }
    return;
  }
  const source = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const heap = new DataView(heapBytes.buffer, heapBytes.byteOffset, heapBytes.byteLength);
  for (const copy of copies) {
    for (let i = 0; i < copy.length; i++) {
      const at = from + size * (copy.from + i), into = to + heapSize * (copy.to + i);
      if (saved === "float32") heap.setUint16(into, toBf16(source.getFloat32(at, true)), true);
      else heap.setUint32(into, source.getUint16(at, true) << 16, true);
    }
  }
}

/**
 * Copies a saved slot into the heap when either side is int8: an int8 slot's blocks span parameters
 * (they count from the group's first element), so runs cannot be copied byte for byte unless the
 * copy is the whole slot in place (then the codes and scales are kept as saved, bit for bit).
 * Otherwise the saved slot is read as float32 values, the runs placed, and the result stored in the
 * heap's type (int8: quantized as the kernels quantize). `v5`: saved int8 codes are version 5's
 * (bitsandbytes' dynamic map), never kept as they are.
 */
export function convertSlot(
  payload: Uint8Array, from: number, savedLength: number, saved: SlotDtype,
  heapBytes: Uint8Array, to: number, length: number, here: SlotDtype, copies: readonly Copy[], signed: boolean, v5 = false,
): void {
  const whole = copies.length === 1 && copies[0].from === 0 && copies[0].to === 0 && copies[0].length === length && savedLength === length;
  if (saved === here && (whole || length === 0) && !(v5 && saved === "int8")) {
    heapBytes.set(payload.subarray(from, from + slotBytes(saved, length)), to);
    return;
  }
  const source = slotValues(payload, from, savedLength, saved, signed, v5);
  const values = new Float32Array(length);
  for (const copy of copies) values.set(source.subarray(copy.from, copy.from + copy.length), copy.to);
  storeValues(values, heapBytes, to, here, signed);
}
