import { describe, OptimError } from "../errors.js";
import { crc32 } from "./crc32.js";
import { SLOT_DTYPES, SLOT_LAYOUTS, slotBytes, slotLength, type SlotDescription, type SlotDtype, type SlotLayout } from "./layout.js";

// The binary container of saved optimizer state (docs/state-format.md), in the manner of
// safetensors: a fixed preamble, a JSON header that describes everything, the float32 buffers
// back to back, and a CRC-32 over all of it. Nothing here knows about optimizers; src/state/match.ts
// checks that a decoded state fits a given optimizer.

/** The first 8 bytes of every state. */
export const STATE_MAGIC = "WOPTSTAT";
/**
 * Bumped on any change an older reader would misread. Version 2 added per-group `scalars` and
 * `fresh`; version 3 describes each slot by name, layout and storage type (before: names, one
 * float32 per element); version 4 allows bfloat16 slots (2 bytes a number in the payload); version 5
 * int8 slots (a code per number, padded to 16 bytes, then a float32 scale per 256 numbers), the codes
 * indexing bitsandbytes' dynamic map; version 6 the same slots with 8-bit-float codes (assembly/ops/int8.ts).
 */
export const STATE_VERSION = 6;
/** The versions this build reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4, 5, 6];
/** No optimizer takes this many steps (10¹² at 1 µs a step is 12 days); a larger count is a crafted state. */
export const MAX_STEPS = 2 ** 40;
/** magic (8) + version (4) + total length (4) + header length (4). */
const PREAMBLE = 20;
const CHECKSUM = 4;

export type HyperValue = number | boolean | string | null;

export interface SavedParam {
  /** The parameter's name, or null when it had none (then it is matched by position). */
  name: string | null;
  shape: number[];
}

export interface SavedGroup {
  /** Every hyperparameter of the group (lr included). */
  hyper: Record<string, HyperValue>;
  step: number;
  params: SavedParam[];
  /** The names of the state slots present, in the family's slot order. */
  slots: string[];
  /** The family's named per-group numbers (NAdam's μ product); absent in version 1. */
  scalars?: Record<string, number>;
  /** Present slots no step has used yet (the next step treats them as new, e.g. SGD's first momentum step); version 2. */
  fresh?: string[];
}

/** Settings of the whole optimizer. Infinity is written as null (JSON has no Infinity). */
export interface SavedSettings {
  maxGradNorm: number | null;
  gradNormType: number | null;
  nonFinite: string;
  skippedSteps: number;
}

export interface StateHeader {
  /** The optimizer family, e.g. "Adam". */
  kind: string;
  /** The family's slots, in kernel order: how many numbers each keeps per parameter, and how they are stored. */
  slots: SlotDescription[];
  settings: SavedSettings;
  groups: SavedGroup[];
}

export interface DecodedState {
  header: StateHeader;
  /** The payload (little-endian float32 or bfloat16 numbers), in header order: per group, per present slot, its numbers. */
  payload: Uint8Array;
  /** The format version it was written in (int8 codes mean another map before version 6). */
  version: number;
}

/** Serialises a header and its buffers (one per present slot per group, in header order). */
export function encodeState(header: StateHeader, buffers: readonly Uint8Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align4(PREAMBLE + json.length);
  const payloadBytes = buffers.reduce((total, b) => total + b.length, 0);
  const total = payloadStart + payloadBytes + CHECKSUM;
  if (total > 0xffffffff) throw new OptimError("OUT_OF_MEMORY", `the state would need ${total} bytes, over the format's 4 GiB limit`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < STATE_MAGIC.length; i++) out[i] = STATE_MAGIC.charCodeAt(i);
  view.setUint32(8, STATE_VERSION, true);
  view.setUint32(12, total, true);
  view.setUint32(16, json.length, true);
  out.set(json, PREAMBLE);
  let at = payloadStart;
  for (const buffer of buffers) {
    out.set(buffer, at);
    at += buffer.length;
  }
  view.setUint32(total - CHECKSUM, crc32(out.subarray(0, total - CHECKSUM)), true);
  return out;
}

/**
 * Reads and checks a state: preamble, length, checksum, header schema and payload size. Throws
 * STATE_INCOMPATIBLE with what is wrong; reads `bytes` only.
 */
export function decodeState(bytes: unknown): DecodedState {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < PREAMBLE + CHECKSUM) fail(`truncated: ${bytes.length} bytes, a state has at least ${PREAMBLE + CHECKSUM}`);
  for (let i = 0; i < STATE_MAGIC.length; i++) {
    if (bytes[i] !== STATE_MAGIC.charCodeAt(i)) fail(`not a wasm-optim optimizer state (it does not start with "${STATE_MAGIC}")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (!READABLE_VERSIONS.includes(version)) fail(`format version ${version} is not supported: this build reads versions ${READABLE_VERSIONS.join(" and ")}`);
  const total = view.getUint32(12, true);
  if (total > bytes.length) fail(`truncated: the state has ${total} bytes, got ${bytes.length}`);
  if (total < bytes.length) fail(`${bytes.length - total} unexpected bytes after the end of the state (${total} bytes)`);
  const stored = view.getUint32(total - CHECKSUM, true);
  const computed = crc32(bytes.subarray(0, total - CHECKSUM));
  if (stored !== computed) fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the bytes are corrupted`);
  const headerLength = view.getUint32(16, true);
  const payloadStart = align4(PREAMBLE + headerLength);
  if (payloadStart > total - CHECKSUM) fail(`the header length ${headerLength} runs past the end of the state`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)));
  } catch (error) {
    fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  const header = checkHeader(parsed, version);
  const payload = bytes.subarray(payloadStart, total - CHECKSUM);
  const expected = payloadLength(header);
  if (payload.length !== expected) fail(`the payload has ${payload.length} bytes, the header describes ${expected}`);
  return { header, payload, version };
}

/** Bytes of payload the header describes (4 a float32 number, 2 a bfloat16 one, int8 as `slotBytes`). */
export function payloadLength(header: StateHeader): number {
  let bytes = 0;
  for (const group of header.groups) {
    for (const name of group.slots) {
      const slot = header.slots.find((s) => s.name === name)!;
      bytes += slotBytes(slot.dtype, savedSlotLength(group, slot.layout));
    }
  }
  return bytes;
}

/** Floats a saved group keeps in a slot of `layout`. */
export function savedSlotLength(group: SavedGroup, layout: SlotLayout): number {
  let n = 0;
  for (const param of group.params) n += slotLength(layout, param.shape);
  return n;
}

/** Elements in a saved group (the sum of its parameters' sizes). */
export function groupLength(group: SavedGroup): number {
  let n = 0;
  for (const param of group.params) n += param.shape.reduce((a, b) => a * b, 1);
  return n;
}

export function stateError(message: string): OptimError {
  return new OptimError("STATE_INCOMPATIBLE", message);
}

function fail(message: string): never {
  throw stateError(message);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}


// ---- header schema: every field checked, with its path in the message ----

/** No saved quantity may exceed what a 4 GiB heap holds, so sizes stay exact integers. */
const MAX_ELEMENTS = 2 ** 30;

function checkHeader(value: unknown, version: number): StateHeader {
  const h = record(value, "header");
  const kind = string(h.kind, "kind");
  const slots = version < 3 ? stringList(h.slots, "slots").map(elementSlot) : array(h.slots, "slots").map((d, i) => checkSlot(d, `slots[${i}]`, version));
  const names = slots.map((slot) => slot.name);
  if (new Set(names).size !== names.length) fail("header: slots has a duplicate");
  const s = record(h.settings, "settings");
  const settings: SavedSettings = {
    maxGradNorm: nullableNumber(s.maxGradNorm, "settings.maxGradNorm"),
    gradNormType: nullableNumber(s.gradNormType, "settings.gradNormType"),
    nonFinite: string(s.nonFinite, "settings.nonFinite"),
    skippedSteps: count(s.skippedSteps, "settings.skippedSteps"),
  };
  const groups = array(h.groups, "groups").map((g, i) => checkGroup(g, `groups[${i}]`, names));
  let total = 0;
  for (const group of groups) {
    total += groupLength(group);
    if (total > MAX_ELEMENTS) fail(`header: the groups hold more than ${MAX_ELEMENTS} elements`);
  }
  return { kind, slots, settings, groups };
}

function checkGroup(value: unknown, path: string, allSlots: readonly string[]): SavedGroup {
  const g = record(value, path);
  // A prototype-less record: a saved "__proto__" key stays a key (and is then rejected as unknown).
  const hyper: Record<string, HyperValue> = Object.create(null);
  for (const [key, v] of Object.entries(record(g.hyper, `${path}.hyper`))) {
    if (v === null || typeof v === "boolean" || typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) hyper[key] = v;
    else fail(`header: ${path}.hyper.${key} must be a finite number, a boolean, a string or null`);
  }
  const step = count(g.step, `${path}.step`);
  if (step > MAX_STEPS) fail(`header: ${path}.step ${step} is more steps than any optimizer takes (at most ${MAX_STEPS})`);
  const params = array(g.params, `${path}.params`).map((p, j) => checkParam(p, `${path}.params[${j}]`));
  const slots = stringList(g.slots, `${path}.slots`);
  // Present slots follow the family's order, so the payload order is unambiguous.
  let last = -1;
  for (const slot of slots) {
    const k = allSlots.indexOf(slot);
    if (k <= last) fail(`header: ${path}.slots lists "${slot}", which is not one of [${allSlots.join(", ")}] in order`);
    last = k;
  }
  const group: SavedGroup = { hyper, step, params, slots };
  if (g.fresh !== undefined) {
    group.fresh = stringList(g.fresh, `${path}.fresh`);
    for (const slot of group.fresh) if (!slots.includes(slot)) fail(`header: ${path}.fresh lists "${slot}", which is not one of the group's slots`);
  }
  if (g.scalars !== undefined) {
    group.scalars = Object.create(null) as Record<string, number>;
    for (const [key, v] of Object.entries(record(g.scalars, `${path}.scalars`))) {
      if (typeof v !== "number" || !Number.isFinite(v)) fail(`header: ${path}.scalars.${key} must be a finite number`);
      group.scalars[key] = v;
    }
  }
  return group;
}

/** A slot of a version 1 or 2 state: one float32 per element. */
function elementSlot(name: string): SlotDescription {
  return { name, layout: "element", dtype: "float32" };
}

function checkSlot(value: unknown, path: string, version: number): SlotDescription {
  const d = record(value, path);
  const name = string(d.name, `${path}.name`);
  const layout = string(d.layout, `${path}.layout`);
  const dtype = string(d.dtype, `${path}.dtype`);
  if (!SLOT_LAYOUTS.includes(layout as SlotLayout)) fail(`header: ${path}.layout "${layout}" is not one of ${SLOT_LAYOUTS.join(", ")}`);
  if (!SLOT_DTYPES.includes(dtype as SlotDtype)) fail(`header: ${path}.dtype "${dtype}" is not one of ${SLOT_DTYPES.join(", ")}`);
  if (version < 4 && dtype !== "float32") fail(`header: ${path}.dtype "${dtype}" needs format version 4 (this state says ${version})`);
  if (version < 5 && dtype === "int8") fail(`header: ${path}.dtype "int8" needs format version 5 (this state says ${version})`);
  return { name, layout: layout as SlotLayout, dtype: dtype as SlotDtype };
}

function checkParam(value: unknown, path: string): SavedParam {
  const p = record(value, path);
  const name = p.name === null ? null : string(p.name, `${path}.name`);
  const shape = array(p.shape, `${path}.shape`).map((d, k) => count(d, `${path}.shape[${k}]`));
  if (shape.some((d) => d > MAX_ELEMENTS) || shape.reduce((a, b) => a * b, 1) > MAX_ELEMENTS) {
    fail(`header: ${path}.shape [${shape.join(", ")}] is larger than any heap`);
  }
  return { name, shape };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`header: ${path} must be an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(`header: ${path} must be an array`);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== "string") fail(`header: ${path} must be a string`);
  return value;
}

function stringList(value: unknown, path: string): string[] {
  const list = array(value, path).map((v, i) => string(v, `${path}[${i}]`));
  if (new Set(list).size !== list.length) fail(`header: ${path} has a duplicate`);
  return list;
}

function count(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`header: ${path} must be a non-negative integer`);
  return value as number;
}

function nullableNumber(value: unknown, path: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(`header: ${path} must be a finite number or null`);
  return value;
}
