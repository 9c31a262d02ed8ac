import { fromBf16 } from "./bfloat16.js";
import { OptimError } from "../errors.js";
import type { Param } from "../param.js";
import { savedSlotLength, stateError, type DecodedState, type HyperValue, type SavedGroup, type SavedParam, type SavedSettings } from "./format.js";
import { BYTES_PER_NUMBER, slotBytes, slotLength, type SlotDescription, type SlotDtype } from "./layout.js";
import { negativeScale } from "./int8.js";

/** What a loading optimizer looks like, as far as matching a saved state goes. */
export interface LoadTarget {
  kind: string;
  slots: readonly SlotDescription[];
  /** Slots whose values are never negative. */
  nonNegativeSlots: readonly string[];
  /** The family's per-group numbers, by name. */
  scalars: readonly string[];
  hyperKeys: readonly string[];
  /** Per group: its parameters and, per slot, where each parameter's numbers start in it. */
  groups: readonly { params: readonly Param[]; slotStarts: readonly (readonly number[])[] }[];
  /** Throws an OptimError when a group's options are invalid (as the optimizer's step would). */
  checkHyper(hyper: Record<string, HyperValue>): void;
  /** Throws an OptimError when the optimizer-wide settings are invalid. */
  checkSettings(settings: SavedSettings): void;
  /** The scalars of a group saved without them (version 1), from its options and step count. */
  rebuildScalars(hyper: Record<string, HyperValue>, step: number): number[];
  /** The expected range of scalar k when `value` is outside it, else undefined. */
  checkScalar(k: number, value: number): string | undefined;
}

/** A run of numbers to copy from a saved slot buffer into the optimizer's (indices of numbers). */
export interface Copy {
  from: number;
  to: number;
  length: number;
}

export interface GroupPlan {
  hyper: Record<string, HyperValue>;
  step: number;
  /** Per slot of the family: the byte offset of the saved buffer in the payload, or -1 when absent. */
  slotOffsets: number[];
  /** The family's per-group numbers, in the order of LoadTarget.scalars. */
  scalars: number[];
  /** Bit k set: slot k is saved as fresh (no step has used it). */
  fresh: number;
  /** Per slot of the family: the runs to copy. */
  copies: Copy[][];
  /** Per slot of the family: the numbers in the saved buffer (an int8 one converts whole: its blocks span parameters). */
  savedLengths: number[];
}

export interface LoadPlan {
  settings: SavedSettings;
  /** How each slot of the family is stored in the state (the optimizer's own storage may differ: the copies convert). */
  savedDtypes: SlotDtype[];
  /** int8 slots hold version-5 codes (bitsandbytes' dynamic map), requantized as they load. */
  int8V5: boolean;
  groups: GroupPlan[];
}

/**
 * Pairs a decoded state with an optimizer, checking everything a load needs: family, slots (names,
 * layouts, storage types), group
 * count, hyperparameters, parameters and shapes. Writes nothing; throws STATE_INCOMPATIBLE.
 *
 * Groups are matched by position. Parameters are matched by name when every parameter, saved and
 * here, has a name and the names are unique (so a model that creates its parameters in another
 * order still loads); otherwise by position.
 */
export function matchState({ header, payload, version }: DecodedState, target: LoadTarget): LoadPlan {
  if (header.kind !== target.kind) throw stateError(`the state was saved by ${header.kind}, this optimizer is ${target.kind}`);
  const describe = (slots: readonly SlotDescription[]) => slots.map((s) => (s.layout === "element" && s.dtype === "float32" ? s.name : `${s.name} (${s.layout}, ${s.dtype})`)).join(", ");
  // Storage types may differ: a load converts (float32 ↔ bfloat16), so precision can change mid-training.
  const shape = (slots: readonly SlotDescription[]) => slots.map((s) => `${s.name} ${s.layout}`).join(", ");
  if (shape(header.slots) !== shape(target.slots)) {
    throw stateError(`${target.kind}: the saved state slots [${describe(header.slots)}] differ from this build's [${describe(target.slots)}]`);
  }
  if (header.groups.length !== target.groups.length) {
    throw stateError(`${target.kind}: the state has ${header.groups.length} param groups, this optimizer has ${target.groups.length}`);
  }
  rethrowAsState(`${target.kind}: saved settings`, () => target.checkSettings(header.settings));
  const byName = namesUsable(header.groups.map((g) => g.params.map((p) => p.name)), target.groups.map((g) => g.params.map((p) => p.name)));
  const groups: GroupPlan[] = [];
  let offset = 0;
  header.groups.forEach((saved, i) => {
    const where = `${target.kind}: param group ${i}`;
    checkHyperKeys(saved.hyper, target.hyperKeys, where);
    rethrowAsState(where, () => target.checkHyper(saved.hyper));
    const pairs = byName ? matchByName(saved.params, target.groups[i].params, where, header.groups) : matchByPosition(saved.params, target.groups[i].params, where);
    const slotOffsets = target.slots.map(() => -1);
    for (const slot of saved.slots) {
      const k = target.slots.findIndex((s) => s.name === slot);
      const dtype = header.slots[k].dtype;
      const length = savedSlotLength(saved, target.slots[k].layout), bytes = slotBytes(dtype, length);
      if (offset + bytes > payload.length) break; // reported below
      if (target.nonNegativeSlots.includes(slot)) {
        if (dtype === "int8") checkNonNegativeScales(payload, offset, length, `${where}: slot ${slot}`);
        else checkNonNegative(payload, offset, bytes, dtype, `${where}: slot ${slot}`);
      }
      slotOffsets[k] = offset;
      offset += bytes;
    }
    const copies = target.slots.map((slot, k) => slotCopies(pairs, saved.params, target.groups[i].params, target.groups[i].slotStarts[k], slot));
    const scalars = matchScalars(saved, target, where);
    let fresh = 0;
    for (const slot of saved.fresh ?? []) fresh |= 1 << target.slots.findIndex((s) => s.name === slot);
    const savedLengths = target.slots.map((slot) => savedSlotLength(saved, slot.layout));
    groups.push({ hyper: saved.hyper, step: saved.step, slotOffsets, scalars, fresh, copies, savedLengths });
  });
  // decodeState has checked this already; a second look costs nothing and guards the copies.
  if (offset !== payload.length) throw stateError(`${target.kind}: the payload has ${payload.length} bytes, the groups need ${offset}`);
  return { settings: header.settings, savedDtypes: header.slots.map((s) => s.dtype), int8V5: version === 5, groups };
}

/** A saved group's scalars must be exactly the family's; a version-1 group has none and gets them rebuilt. */
function matchScalars(saved: SavedGroup, target: LoadTarget, where: string): number[] {
  if (saved.scalars === undefined) return target.scalars.length === 0 ? [] : target.rebuildScalars(saved.hyper, saved.step);
  const names = Object.keys(saved.scalars);
  if (!sameList(names.slice().sort(), target.scalars.slice().sort())) {
    throw stateError(`${where}: the state has the per-group numbers [${names.join(", ")}], this optimizer keeps [${target.scalars.join(", ")}]`);
  }
  return target.scalars.map((name, k) => {
    const value = saved.scalars![name];
    const expected = target.checkScalar(k, value);
    if (expected !== undefined) throw stateError(`${where}: ${name} is ${value}, expected a number ${expected}`);
    return value;
  });
}

/**
 * Refuses a buffer that holds a value its slot never can: a second moment, sum or step size below
 * zero. NaN is let through: a NaN gradient under nonFinite "proceed" puts it there legitimately, and
 * whatever saveState wrote must load.
 */
function checkNonNegative(payload: Uint8Array, offset: number, bytes: number, dtype: SlotDtype, where: string): void {
  const view = new DataView(payload.buffer, payload.byteOffset + offset, bytes);
  const size = BYTES_PER_NUMBER[dtype];
  for (let at = 0; at < bytes; at += size) {
    const value = dtype === "float32" ? view.getFloat32(at, true) : fromBf16(view.getUint16(at, true));
    if (value < 0) throw stateError(`${where} holds ${value} at element ${at / size}, which it never can (it is never negative)`);
  }
}

/** An int8 slot that is never negative: its codes (unsigned map) are ≥ 0, so its scales must be too (or NaN). */
function checkNonNegativeScales(payload: Uint8Array, offset: number, length: number, where: string): void {
  const scale = negativeScale(payload, offset, length);
  if (scale !== undefined) throw stateError(`${where} has the block scale ${scale}, which it never can (it is never negative)`);
}

/** Which saved parameter each parameter here takes its state from (indices into `saved`). */
function matchByName(saved: readonly SavedParam[], here: readonly Param[], where: string, allSaved: readonly SavedGroup[]): number[] {
  const savedIndex = new Map<string, number>();
  saved.forEach((param, j) => savedIndex.set(param.name!, j));
  const pairs = here.map((param) => {
    const j = savedIndex.get(param.name!);
    if (j === undefined) {
      const other = allSaved.findIndex((g) => g.params.some((p) => p.name === param.name));
      throw stateError(other >= 0
        ? `${where}: parameter "${param.name}" was saved in param group ${other}`
        : `${where}: parameter "${param.name}" has no saved state (saved: ${saved.map((p) => `"${p.name}"`).join(", ") || "none"})`);
    }
    checkShape(param, saved[j].shape, where);
    savedIndex.delete(param.name!);
    return j;
  });
  if (savedIndex.size > 0) {
    throw stateError(`${where}: the state has parameters this group lacks: ${[...savedIndex.keys()].map((n) => `"${n}"`).join(", ")}`);
  }
  return pairs;
}

function matchByPosition(saved: readonly SavedParam[], here: readonly Param[], where: string): number[] {
  if (saved.length !== here.length) {
    throw stateError(`${where}: the state has ${saved.length} parameters, this group has ${here.length} (name every parameter to match by name)`);
  }
  return here.map((param, j) => {
    if (saved[j].name !== null && param.name !== undefined && saved[j].name !== param.name) {
      throw stateError(`${where}: parameter ${j} is "${param.name}" here but "${saved[j].name}" in the state`);
    }
    checkShape(param, saved[j].shape, where);
    return j;
  });
}

/** The runs that move a slot's numbers from the saved parameters (`pairs[j]` for parameter j here) to here. */
function slotCopies(pairs: readonly number[], saved: readonly SavedParam[], here: readonly Param[], starts: readonly number[], slot: SlotDescription): Copy[] {
  const savedStarts: number[] = [];
  let at = 0;
  for (const param of saved) {
    savedStarts.push(at);
    at += slotLength(slot.layout, param.shape);
  }
  return mergeCopies(here.map((param, j) => ({ from: savedStarts[pairs[j]], to: starts[j], length: slotLength(slot.layout, param.shape) })));
}

/** Name matching needs a name on every parameter on both sides, unique on each side. */
function namesUsable(saved: (string | null)[][], here: (string | undefined)[][]): boolean {
  const unique = (names: (string | null | undefined)[]) => names.every((n) => typeof n === "string") && new Set(names).size === names.length;
  return unique(saved.flat()) && unique(here.flat());
}

function checkShape(param: Param, shape: readonly number[], where: string): void {
  if (!sameList(param.shape, shape)) {
    throw stateError(`${where}: parameter ${param.label} has shape [${param.shape.join(", ")}], the state has [${shape.join(", ")}]`);
  }
}

function checkHyperKeys(hyper: Record<string, HyperValue>, keys: readonly string[], where: string): void {
  const saved = Object.keys(hyper);
  const missing = keys.filter((k) => !Object.hasOwn(hyper, k));
  const unknown = saved.filter((k) => !keys.includes(k));
  if (missing.length > 0) throw stateError(`${where}: the state lacks the options ${missing.join(", ")}`);
  if (unknown.length > 0) throw stateError(`${where}: the state has unknown options ${unknown.join(", ")}`);
}

/** Joins copies that continue each other on both sides: params in the same order copy in one go. */
function mergeCopies(copies: Copy[]): Copy[] {
  const merged: Copy[] = [];
  for (const copy of copies) {
    if (copy.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.from + last.length === copy.from && last.to + last.length === copy.to) last.length += copy.length;
    else merged.push({ ...copy });
  }
  return merged;
}

function rethrowAsState(where: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof OptimError) throw stateError(`${where}: ${error.message.replace(/^[A-Z_]+: /, "")}`);
    throw error;
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
