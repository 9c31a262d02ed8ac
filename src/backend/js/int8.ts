import { NAN_BITS } from "./fround.js";

// The js twin of assembly/ops/int8.ts: block-wise 8-bit state as in bitsandbytes' 8-bit optimizers
// (Dettmers et al., "8-bit Optimizers via Block-wise Quantization", 2022). A slot of L numbers is L
// one-byte codes (padded to 16 bytes) followed by ceil(L / 256) float32 scales, one per block of 256
// numbers counted from the group's first element: x ≈ MAP[code] · scale, scale = the block's absmax.

/** Numbers per block (one float32 scale each). */
export const BLOCK = 256;

/**
 * bitsandbytes' dynamic map (`create_dynamic_map` in bitsandbytes/functional.py, signed for first
 * moments, unsigned for second), computed here from its definition: for decade i = 0..6, the means
 * of 2^i (signed: each sign) or 2^(i+1) (unsigned) equal steps of [0.1, 1], times 10^(i−6); plus 0
 * and 1; sorted. Computed in float64 with + − × ÷ only (exact in both languages), rounded once to
 * float32, so it may differ from bitsandbytes' float32 table in the last bit.
 */
function dynamicMap(signed: boolean): Float32Array {
  const values: number[] = [0, 1];
  const decades = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
  for (let i = 0; i < 7; i++) {
    const steps = signed ? 2 ** i : 2 ** (i + 1);
    for (let j = 0; j < steps; j++) {
      const mean = (0.1 + (0.9 * j) / steps + (0.1 + (0.9 * (j + 1)) / steps)) / 2;
      values.push(decades[i] * mean);
      if (signed) values.push(-decades[i] * mean);
    }
  }
  return Float32Array.from(values.sort((a, b) => a - b));
}

/**
 * Decision thresholds: t[k] = the float32 nearest the midpoint of MAP[k] and MAP[k+1] (float64
 * arithmetic), t[255] = +∞. A normalized y gets the code #{k : t[k] < y}: the nearest entry, a tie
 * (y exactly on a threshold) going to the lower entry.
 */
function thresholds(map: Float32Array): Float32Array {
  const t = new Float32Array(BLOCK);
  for (let k = 0; k < BLOCK - 1; k++) t[k] = (map[k] + map[k + 1]) / 2;
  t[BLOCK - 1] = Infinity;
  return t;
}

export const SIGNED_MAP = dynamicMap(true);
export const UNSIGNED_MAP = dynamicMap(false);
export const SIGNED_T = thresholds(SIGNED_MAP);
export const UNSIGNED_T = thresholds(UNSIGNED_MAP);

/** Bytes of one map's region in the tables block: entries, thresholds (+ 4 × +∞), bucket codes (assembly/ops/int8.ts). */
export const REGION_BYTES = 18336;
export const THRESHOLDS_AT = 1024, BUCKETS_AT = 2064;
/** Buckets of |y| ≤ 1 per sign: float32 bits >> 17 of 0..1. */
export const PER_SIGN = 8129;
/** At most this many thresholds lie inside one bucket: the kernels compare against that many. */
const BUCKET_SPAN = 2;

/**
 * The code of each bucket's lowest value (sign · PER_SIGN + (|y| bits >> 17)); throws if a bucket
 * holds more than BUCKET_SPAN thresholds (then the kernels' two comparisons would not suffice).
 */
function buckets(t: Float32Array): Uint8Array {
  const out = new Uint8Array(2 * PER_SIGN);
  const f = new Float32Array(2), u = new Uint32Array(f.buffer);
  for (let sign = 0; sign < 2; sign++) {
    for (let k = 0; k < PER_SIGN; k++) {
      u[0] = (k << 17) >>> 0;
      u[1] = ((k << 17) | 0x1ffff) >>> 0;
      const lo = sign ? -f[1] : f[0], hi = sign ? -f[0] : Math.min(f[1], 1);
      const base = code(lo, t);
      if (code(hi, t) - base > BUCKET_SPAN) throw new Error(`int8 bucket ${k} holds more than ${BUCKET_SPAN} thresholds`);
      out[sign * PER_SIGN + k] = base;
    }
  }
  return out;
}

/** The tables block of the int8 kernels: per map its entries, thresholds (+∞ padded) and bucket codes. */
export function tablesBytes(): Uint8Array {
  const out = new Uint8Array(2 * REGION_BYTES);
  [[SIGNED_MAP, SIGNED_T], [UNSIGNED_MAP, UNSIGNED_T]].forEach(([map, t], r) => {
    const at = r * REGION_BYTES;
    out.set(new Uint8Array(map.buffer), at);
    out.set(new Uint8Array(Float32Array.from([...t, Infinity, Infinity, Infinity, Infinity]).buffer), at + THRESHOLDS_AT);
    out.set(buckets(t), at + BUCKETS_AT);
  });
  return out;
}

/** The code of a normalized value (branch-free binary search over the 256 thresholds). */
export function code(y: number, t: Float32Array): number {
  let pos = 0;
  for (let s = 128; s >= 1; s >>= 1) if (t[pos + s - 1] < y) pos += s;
  return pos;
}

/** Bytes of a slot of `length` numbers: codes padded to 16, then the scales. */
export function int8Bytes(length: number): number {
  return int8ScalesAt(length) + 4 * Math.ceil(length / BLOCK);
}

/** Where a slot's scales start, in bytes from its codes. */
export function int8ScalesAt(length: number): number {
  return (length + 15) & ~15;
}

/** The scale stored for a block whose new values have this absmax: NaN (canonical) when it is not finite. */
export function scaleOf(absmax: number): number {
  return absmax - absmax === 0 ? absmax : NaN;
}

/**
 * Quantizes values[0..n) into codes and scales (the heap form), as the kernels store a block: scale
 * = max |x| over the block (float32); a block with a NaN or ±∞ stores scale NaN and codes 0 (all of
 * it reads back NaN); an all-zero block stores scale 0 and the code of 0; else code(fround(x / scale)).
 */
export function quantizeInto(values: Float32Array, codes: Uint8Array, scales: Uint32Array | DataView, signed: boolean): void {
  const t = signed ? SIGNED_T : UNSIGNED_T;
  const scratch = new Float32Array(1), bits = new Uint32Array(scratch.buffer);
  for (let b = 0; b * BLOCK < values.length; b++) {
    const end = Math.min(values.length, (b + 1) * BLOCK);
    let absmax = 0;
    for (let i = b * BLOCK; i < end; i++) absmax = Math.max(absmax, Math.abs(values[i]));
    const scale = scaleOf(absmax), div = scale === 0 ? 1 : scale;
    for (let i = b * BLOCK; i < end; i++) codes[i] = scale !== scale ? 0 : code(Math.fround(values[i] / div), t);
    scratch[0] = scale;
    const word = scale !== scale ? NAN_BITS : bits[0];
    if (scales instanceof DataView) scales.setUint32(4 * b, word, true);
    else scales[b] = word;
  }
}

/** The float32 numbers a slot's codes and scales stand for: MAP[code] · scale, rounded to float32. */
export function dequantize(codes: Uint8Array, scale: (b: number) => number, signed: boolean, out: Float32Array, first = 0): Float32Array {
  const map = signed ? SIGNED_MAP : UNSIGNED_MAP;
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(map[codes[i]] * scale((first + i) >>> 8));
  return out;
}

const scratch = new Float32Array(1), scratchBits = new Uint32Array(scratch.buffer);

/** The code of y under the map whose region starts at byte `map` (assembly's codeOf: bucket, then two comparisons). */
export function codeOf(h: Float32Array, u8: Uint8Array, map: number, y: number): number {
  scratch[0] = y;
  const bits = scratchBits[0];
  const base = u8[map + BUCKETS_AT + Math.min((bits & 0x7fffffff) >>> 17, PER_SIGN - 1) + (bits >>> 31) * PER_SIGN];
  const t = ((map + THRESHOLDS_AT) >>> 2) + base;
  return base + (h[t] < y ? 1 : 0) + (h[t + 1] < y ? 1 : 0);
}
