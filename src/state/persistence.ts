import { encodeState, type HyperValue, type SavedGroup, type SavedSettings } from "./format.js";
import type { SlotDescription } from "./layout.js";
import type { Copy } from "./match.js";

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

/** Copies a saved slot's runs of floats (element indices) from the payload at `from` into the heap at `to` (bytes). */
export function copyRuns(payload: Uint8Array, from: number, heapBytes: Uint8Array, to: number, copies: readonly Copy[]): void {
  for (const copy of copies) {
    const start = from + 4 * copy.from;
    heapBytes.set(payload.subarray(start, start + 4 * copy.length), to + 4 * copy.to);
  }
}
