import { bitsOf, put, viewOf } from "./fround.js";

// The js twin of assembly/ops/storage.ts: a kernel's state slot over float32 or bfloat16 storage.
// Reusable objects per slot and kernel (`Float32Slot`, `Bfloat16Slot`), pointed at a call's slot
// with `at`, so a call allocates nothing and each kernel body is written once for both storages.

// The number format itself lives in src/state/bfloat16.ts (saved state and getState use it too).
import { fromBf16, toBf16, toBf16Stochastic } from "../../state/bfloat16.js";
export { slotKey } from "../../state/bfloat16.js";

/** A 16-bit view of the heap (made once per buffer). */
export function halvesOf(h: Float32Array): Uint16Array {
  return viewOf(h, Uint16Array);
}

/**
 * One state slot of a kernel call: `get(i)`/`set(i, x)` take the call's element index. Two small
 * classes rather than one with a storage branch: V8 inlines each at a call site that sees one or
 * both, where one class with the branch made SGD's js step twice as slow.
 */
export interface StateSlot {
  get(i: number): number;
  set(i: number, x: number): void;
}

/** A float32 slot, as the kernels stored state before bfloat16. */
export class Float32Slot implements StateSlot {
  private h: Float32Array = new Float32Array(0);
  private hb: Uint32Array = new Uint32Array(0);
  private base = 0;

  /** Points the slot at byte offset `ptr` of the heap `h`. */
  at(h: Float32Array, ptr: number): this {
    this.h = h;
    this.hb = bitsOf(h);
    this.base = ptr >>> 2;
    return this;
  }

  get(i: number): number {
    return this.h[this.base + i];
  }

  set(i: number, x: number): void {
    put(this.h, this.hb, this.base + i, x);
  }
}

/** A bfloat16 slot, rounding to nearest even or stochastically. */
export class Bfloat16Slot implements StateSlot {
  private u: Uint16Array = new Uint16Array(0);
  private base = 0;
  private stochastic = false;
  private key = 0;
  private first = 0;

  /** Points the slot at byte offset `ptr` of the heap `h`; `first` is the call's first element in its group. */
  at(h: Float32Array, ptr: number, stochastic: boolean, key: number, first: number): this {
    this.u = halvesOf(h);
    this.base = ptr >>> 1;
    this.stochastic = stochastic;
    this.key = key;
    this.first = first;
    return this;
  }

  get(i: number): number {
    return fromBf16(this.u[this.base + i]);
  }

  set(i: number, x: number): void {
    this.u[this.base + i] = this.stochastic ? toBf16Stochastic(x, this.key, this.first + i) : toBf16(x);
  }
}

/** The element index in its group of a call's first element: (p − origin) / 4 bytes. */
export function firstIndex(p: number, origin: number): number {
  return ((p >>> 0) - (origin >>> 0)) >>> 2;
}
