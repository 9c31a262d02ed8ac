import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, NAN_BITS, viewOf } from "./fround.js";

// The js twin of assembly/ops/int8.ts and assembly/kernels/int8.ts: block-wise 8-bit state whose codes
// are 8-bit floats relative to the block's absmax (the format is described there), and each family's
// float32 kernel run over runs of four blocks of dequantized state in a scratch of the heap.

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

/**
 * Quantizes one block, values[from..from+len), into codes[codeAt..]: the kernels' encodeBlock. Returns
 * the float32 bits of the block's scale: its absmax; NaN (codes 0) when the block holds a NaN or ±∞;
 * 0 (codes 0) when the absmax is below the smallest normal float32.
 */
export function encodeBlock(values: ArrayLike<number>, from: number, len: number, codes: Uint8Array, codeAt: number, signed: boolean): number {
  let a = 0;
  for (let i = 0; i < len; i++) a = Math.max(a, Math.abs(values[from + i]));
  if (a - a !== 0 || a < SMALLEST_NORMAL) {
    codes.fill(0, codeAt, codeAt + len);
    return a - a !== 0 ? NAN_BITS : 0;
  }
  const inverse = Math.fround(1 / a);
  for (let i = 0; i < len; i++) codes[codeAt + i] = encode(Math.fround(values[from + i] * inverse), signed);
  one[0] = a;
  return oneBits[0] >>> 0;
}

/** Quantizes values[0..n) into codes and scales (the heap form), block by block as the kernels do: `setScale(b, bits)` stores block b's. */
export function quantizeInto(values: ArrayLike<number>, codes: Uint8Array, setScale: (b: number, bits: number) => void, signed: boolean): void {
  for (let b = 0; b * BLOCK < values.length; b++) {
    setScale(b, encodeBlock(values, b * BLOCK, Math.min(BLOCK, values.length - b * BLOCK), codes, b * BLOCK, signed));
  }
}

type Int8Kernels = Pick<
  Kernels,
  "sgdMomentumInt8" | "adamInt8" | "adagradInt8" | "rmspropInt8" | "adadeltaInt8" | "rpropInt8" | "adamaxInt8" | "nadamInt8" | "lionInt8"
>;
type Float32Kernels = Pick<Kernels, "sgdMomentum" | "adam" | "adagrad" | "rmsprop" | "adadelta" | "rprop" | "adamax" | "nadam" | "lion">;

/** The int8 kernels over `base`, the js float32 kernels of the same heap. */
export function int8Kernels(heap: Heap, base: Float32Kernels): Int8Kernels {
  /** Dequantizes the run of `len` numbers from `start` of a slot (codes, scales: byte offsets) into the scratch at byte `into`. */
  function decode(codes: number, scales: number, start: number, len: number, into: number, signed: boolean): void {
    const h = heap.f32, u8 = viewOf(h, Uint8Array), values = signed ? SIGNED_VALUES : UNSIGNED_VALUES;
    const s = scales >>> 2, at = (into >>> 2) - start;
    for (let i = start; i < start + len; i++) h[at + i] = values[u8[codes + i]] * h[s + (i >>> 8)];
  }

  /** Quantizes the scratch at byte `from` into the run from `start` of a slot, block by block. */
  function encodeInto(from: number, codes: number, scales: number, start: number, len: number, signed: boolean): void {
    const h = heap.f32, hb = bitsOf(h), u8 = viewOf(h, Uint8Array);
    for (let b = 0; b < len; b += BLOCK) {
      hb[(scales >>> 2) + ((start + b) >>> 8)] = encodeBlock(h, (from >>> 2) + b, Math.min(BLOCK, len - b), u8, codes + start + b, signed);
    }
  }

  const S = SLOT_BYTES;
  return {
    sgdMomentumInt8(p, g, buf, bufScales, scratch, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov) {
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(buf, bufScales, start, len, scratch, true);
        base.sgdMomentum(p + 4 * start, g + 4 * start, scratch, len, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov);
        encodeInto(scratch, buf, bufScales, start, len, true);
      }
    },
    adamInt8(p, g, m, mScales, v, vScales, vmax, vmaxScales, scratch, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad) {
      const sm = scratch, sv = sm + S, sx = sv + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(v, vScales, start, len, sv, false);
        if (amsgrad) decode(vmax, vmaxScales, start, len, sx, false);
        base.adam(p + 4 * start, g + 4 * start, sm, sv, sx, len, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad);
        encodeInto(sm, m, mScales, start, len, true);
        encodeInto(sv, v, vScales, start, len, false);
        if (amsgrad) encodeInto(sx, vmax, vmaxScales, start, len, false);
      }
    },
    adagradInt8(p, g, sum, sumScales, scratch, n, lr, gScale, weightDecay, epsIn, epsOut) {
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(sum, sumScales, start, len, scratch, false);
        base.adagrad(p + 4 * start, g + 4 * start, scratch, len, lr, gScale, weightDecay, epsIn, epsOut);
        encodeInto(scratch, sum, sumScales, start, len, false);
      }
    },
    rmspropInt8(p, g, sq, sqScales, buf, bufScales, gAvg, gAvgScales, scratch, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered) {
      const ss = scratch, sb = ss + S, sa = sb + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(sq, sqScales, start, len, ss, false);
        if (useMomentum) decode(buf, bufScales, start, len, sb, true);
        if (centered) decode(gAvg, gAvgScales, start, len, sa, true);
        base.rmsprop(p + 4 * start, g + 4 * start, ss, sb, sa, len, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
        encodeInto(ss, sq, sqScales, start, len, false);
        if (useMomentum) encodeInto(sb, buf, bufScales, start, len, true);
        if (centered) encodeInto(sa, gAvg, gAvgScales, start, len, true);
      }
    },
    adadeltaInt8(p, g, sq, sqScales, accDelta, accDeltaScales, scratch, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg) {
      const ss = scratch, sd = ss + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(sq, sqScales, start, len, ss, false);
        decode(accDelta, accDeltaScales, start, len, sd, false);
        base.adadelta(p + 4 * start, g + 4 * start, ss, sd, len, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg);
        encodeInto(ss, sq, sqScales, start, len, false);
        encodeInto(sd, accDelta, accDeltaScales, start, len, false);
      }
    },
    rpropInt8(p, g, prev, prevScales, stepSize, stepSizeScales, scratch, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax) {
      const sp = scratch, ss = sp + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(prev, prevScales, start, len, sp, true);
        decode(stepSize, stepSizeScales, start, len, ss, false);
        base.rprop(p + 4 * start, g + 4 * start, sp, ss, len, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
        encodeInto(sp, prev, prevScales, start, len, true);
        encodeInto(ss, stepSize, stepSizeScales, start, len, false);
      }
    },
    adamaxInt8(p, g, m, mScales, u, uScales, scratch, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize) {
      const sm = scratch, su = sm + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(u, uScales, start, len, su, false);
        base.adamax(p + 4 * start, g + 4 * start, sm, su, len, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize);
        encodeInto(sm, m, mScales, start, len, true);
        encodeInto(su, u, uScales, start, len, false);
      }
    },
    nadamInt8(p, g, m, mScales, v, vScales, scratch, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive) {
      const sm = scratch, sv = sm + S;
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(m, mScales, start, len, sm, true);
        decode(v, vScales, start, len, sv, false);
        base.nadam(p + 4 * start, g + 4 * start, sm, sv, len, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive);
        encodeInto(sm, m, mScales, start, len, true);
        encodeInto(sv, v, vScales, start, len, false);
      }
    },
    lionInt8(p, g, m, mScales, scratch, n, gScale, decay, lr, beta1, c1, beta2, c2) {
      for (let start = 0; start < n; start += RUN) {
        const len = Math.min(RUN, n - start);
        decode(m, mScales, start, len, scratch, true);
        base.lion(p + 4 * start, g + 4 * start, scratch, len, gScale, decay, lr, beta1, c1, beta2, c2);
        encodeInto(scratch, m, mScales, start, len, true);
      }
    },
  };
}
