import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, NAN_BITS, viewOf } from "./fround.js";

// The js twin of assembly/ops/int8.ts and assembly/kernels/int8.ts: block-wise 8-bit state whose codes
// are 8-bit floats relative to the block's absmax (the format is described there), and each family's
// float32 kernel run block by block over the dequantized state in a scratch of the heap.

/** Numbers per block (one float32 scale each). */
export const BLOCK = 256;
/** Numbers per run: each float32 kernel call covers four blocks (assembly/kernels/int8.ts). */
const RUN = 4 * BLOCK;
/** Bytes between a thread's scratch slots (a run of float32, and 64 more against 4 KiB aliasing). */
const SLOT_BYTES = RUN * 4 + 64;
/** Bytes of one thread's scratch: up to three slots. */
export const SCRATCH_BYTES = 3 * SLOT_BYTES;
const SMALLEST_NORMAL = 2 ** -126;
const SIGNED_BIAS = (127 - 15) << 3;
const UNSIGNED_BIAS = (127 - 31) << 3;

/** The value of each code before the scale (exact in float32): VALUES[signed ? 1 : 0][code]. */
function codeValues(signed: boolean): Float64Array {
  return Float64Array.from({ length: 256 }, (_, c) => {
    const mag = signed ? c & 0x7f : c;
    const x = mag === 0 ? 0 : 2 ** ((mag >> 3) - (signed ? 15 : 31)) * (1 + (mag & 7) / 8);
    return signed && c & 0x80 ? -x : x;
  });
}

export const SIGNED_VALUES = codeValues(true);
export const UNSIGNED_VALUES = codeValues(false);

const one = new Float32Array(1), oneBits = new Int32Array(one.buffer);

/** The code of a normalized y (a float32, |y| ≤ 1 + a rounding): its bits rounded to 3 mantissa bits. */
export function encode(y: number, signed: boolean): number {
  one[0] = y;
  const bits = oneBits[0];
  const a = signed ? bits & 0x7fffffff : bits;
  const r = (a + (0x7ffff - ((signed ? SIGNED_BIAS : UNSIGNED_BIAS) << 20)) + ((a >>> 20) & 1)) >> 20;
  if (signed) return Math.max(r, 0) | ((bits >>> 31) << 7);
  return y > 0 ? Math.max(r, 1) : 0;
}

/** Where a slot's scales start, in bytes from its codes. */
export function int8ScalesAt(length: number): number {
  return (length + 15) & ~15;
}

/** Bytes of a slot of `length` numbers: codes padded to 16, then the scales. */
export function int8Bytes(length: number): number {
  return int8ScalesAt(length) + 4 * Math.ceil(length / BLOCK);
}

/**
 * Quantizes values[0..n) into codes and scales (the heap form), block by block as the kernels do:
 * `scales(b, bits)` stores block b's scale as float32 bits.
 */
export function quantizeInto(values: ArrayLike<number>, codes: Uint8Array, setScale: (b: number, bits: number) => void, signed: boolean): void {
  for (let b = 0; b * BLOCK < values.length; b++) {
    const end = Math.min(values.length, (b + 1) * BLOCK);
    let a = 0;
    for (let i = b * BLOCK; i < end; i++) a = Math.max(a, Math.abs(values[i]));
    if (a - a !== 0 || a < SMALLEST_NORMAL) {
      codes.fill(0, b * BLOCK, end);
      setScale(b, a - a !== 0 ? NAN_BITS : 0);
      continue;
    }
    const inverse = Math.fround(1 / a);
    for (let i = b * BLOCK; i < end; i++) codes[i] = encode(Math.fround(values[i] * inverse), signed);
    one[0] = a;
    setScale(b, oneBits[0] >>> 0);
  }
}

/** The numbers codes stand for: fround(VALUE[code] · scale of its block); `first` is codes[0]'s index in the slot. */
export function dequantize(codes: ArrayLike<number>, scale: (b: number) => number, signed: boolean, out: Float32Array, first = 0): Float32Array {
  const values = signed ? SIGNED_VALUES : UNSIGNED_VALUES;
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(values[codes[i]] * scale((first + i) >>> 8));
  return out;
}

type Int8Kernels = Pick<
  Kernels,
  "sgdMomentumInt8" | "adamInt8" | "adagradInt8" | "rmspropInt8" | "adadeltaInt8" | "rpropInt8" | "adamaxInt8" | "nadamInt8" | "lionInt8"
>;
type Float32Kernels = Pick<Kernels, "sgdMomentum" | "adam" | "adagrad" | "rmsprop" | "adadelta" | "rprop" | "adamax" | "nadam" | "lion">;

/** The int8 kernels over `base`, the js float32 kernels of the same heap. */
export function int8Kernels(heap: Heap, base: Float32Kernels): Int8Kernels {
  /** Dequantizes block `start` of a slot (codes, scales: byte offsets) into the scratch at byte `into`. */
  function decode(codes: number, scales: number, start: number, len: number, into: number, signed: boolean): void {
    const h = heap.f32, u8 = viewOf(h, Uint8Array), values = signed ? SIGNED_VALUES : UNSIGNED_VALUES;
    const scale = h[(scales >>> 2) + (start >>> 8)], at = into >>> 2, c = codes + start;
    for (let i = 0; i < len; i++) h[at + i] = values[u8[c + i]] * scale;
  }

  /** Quantizes the scratch at byte `from` into block `start` of a slot. */
  function encodeBlock(from: number, codes: number, scales: number, start: number, len: number, signed: boolean): void {
    const h = heap.f32, hb = bitsOf(h), u8 = viewOf(h, Uint8Array), at = from >>> 2, c = codes + start;
    const scaleAt = (scales >>> 2) + (start >>> 8);
    let a = 0;
    for (let i = 0; i < len; i++) a = Math.max(a, Math.abs(h[at + i]));
    if (a - a !== 0 || a < SMALLEST_NORMAL) {
      u8.fill(0, c, c + len);
      hb[scaleAt] = a - a !== 0 ? NAN_BITS : 0;
      return;
    }
    const inverse = Math.fround(1 / a);
    for (let i = 0; i < len; i++) u8[c + i] = encode(Math.fround(h[at + i] * inverse), signed);
    h[scaleAt] = a;
  }

  const S = SLOT_BYTES;
  return {
    sgdMomentumInt8(p, g, buf, bufScales, scratch, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov) {
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(buf, bufScales, start, len, scratch, true);
        base.sgdMomentum(p + 4 * start, g + 4 * start, scratch, len, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov);
        encodeBlock(scratch, buf, bufScales, start, len, true);
      }
    },
    adamInt8(p, g, m, mScales, v, vScales, vmax, vmaxScales, scratch, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad) {
      const sm = scratch, sv = sm + S, sx = sv + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(v, vScales, start, len, sv, false);
        if (amsgrad) decode(vmax, vmaxScales, start, len, sx, false);
        base.adam(p + 4 * start, g + 4 * start, sm, sv, sx, len, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad);
        encodeBlock(sm, m, mScales, start, len, true);
        encodeBlock(sv, v, vScales, start, len, false);
        if (amsgrad) encodeBlock(sx, vmax, vmaxScales, start, len, false);
      }
    },
    adagradInt8(p, g, sum, sumScales, scratch, n, lr, gScale, weightDecay, epsIn, epsOut) {
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(sum, sumScales, start, len, scratch, false);
        base.adagrad(p + 4 * start, g + 4 * start, scratch, len, lr, gScale, weightDecay, epsIn, epsOut);
        encodeBlock(scratch, sum, sumScales, start, len, false);
      }
    },
    rmspropInt8(p, g, sq, sqScales, buf, bufScales, gAvg, gAvgScales, scratch, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered) {
      const ss = scratch, sb = ss + S, sa = sb + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(sq, sqScales, start, len, ss, false);
        if (useMomentum) decode(buf, bufScales, start, len, sb, true);
        if (centered) decode(gAvg, gAvgScales, start, len, sa, true);
        base.rmsprop(p + 4 * start, g + 4 * start, ss, sb, sa, len, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
        encodeBlock(ss, sq, sqScales, start, len, false);
        if (useMomentum) encodeBlock(sb, buf, bufScales, start, len, true);
        if (centered) encodeBlock(sa, gAvg, gAvgScales, start, len, true);
      }
    },
    adadeltaInt8(p, g, sq, sqScales, accDelta, accDeltaScales, scratch, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg) {
      const ss = scratch, sd = ss + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(sq, sqScales, start, len, ss, false);
        decode(accDelta, accDeltaScales, start, len, sd, false);
        base.adadelta(p + 4 * start, g + 4 * start, ss, sd, len, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg);
        encodeBlock(ss, sq, sqScales, start, len, false);
        encodeBlock(sd, accDelta, accDeltaScales, start, len, false);
      }
    },
    rpropInt8(p, g, prev, prevScales, stepSize, stepSizeScales, scratch, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax) {
      const sp = scratch, ss = sp + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(prev, prevScales, start, len, sp, true);
        decode(stepSize, stepSizeScales, start, len, ss, false);
        base.rprop(p + 4 * start, g + 4 * start, sp, ss, len, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
        encodeBlock(sp, prev, prevScales, start, len, true);
        encodeBlock(ss, stepSize, stepSizeScales, start, len, false);
      }
    },
    adamaxInt8(p, g, m, mScales, u, uScales, scratch, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize) {
      const sm = scratch, su = sm + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(u, uScales, start, len, su, false);
        base.adamax(p + 4 * start, g + 4 * start, sm, su, len, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize);
        encodeBlock(sm, m, mScales, start, len, true);
        encodeBlock(su, u, uScales, start, len, false);
      }
    },
    nadamInt8(p, g, m, mScales, v, vScales, scratch, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive) {
      const sm = scratch, sv = sm + S;
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(v, vScales, start, len, sv, false);
        base.nadam(p + 4 * start, g + 4 * start, sm, sv, len, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive);
        encodeBlock(sm, m, mScales, start, len, true);
        encodeBlock(sv, v, vScales, start, len, false);
      }
    },
    lionInt8(p, g, m, mScales, scratch, n, gScale, decay, lr, beta1, c1, beta2, c2) {
      for (let start = 0; start < n; start += BLOCK) {
        const len = Math.min(BLOCK, n - start);
        decode(m, mScales, start, len, scratch, true);
        base.lion(p + 4 * start, g + 4 * start, scratch, len, gScale, decay, lr, beta1, c1, beta2, c2);
        encodeBlock(scratch, m, mScales, start, len, true);
      }
    },
  };
}
