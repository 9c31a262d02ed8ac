import { div, max, abs } from "./lane";

// Block-wise 8-bit state (bitsandbytes' 8-bit optimizers). A slot of L numbers is L one-byte codes,
// padded to 16 bytes, then ceil(L / 256) float32 scales: x = MAP[code] · scale, the scale being the
// block's absmax. The maps, their decision thresholds and bucket codes come from the caller in a
// heap block (`tables`, laid out below; then a scratch of 3 × 256 floats), computed once in
// TypeScript (src/backend/js/int8.ts, the js twin), so every backend uses the same bits. There is no
// wasm static data: the heap owns the whole memory.

export const BLOCK: i32 = 256;
// The tables block (src/backend/js/int8.ts, `writeTables`): per map, at REGION·(0 signed, 1 unsigned),
// the 256 entries (float32), the 256 thresholds and 4 +∞ (float32), then the bucket codes (u8).
const REGION: usize = 18336;
export const SIGNED: usize = 0;
export const UNSIGNED: usize = REGION;
const THRESHOLDS: usize = 1024;
/** The int8 kernels' scratch: 3 × 256 float32 after the two maps' regions (one group's kernel runs at a time). */
export const SCRATCH: usize = 2 * REGION;
const BUCKETS: usize = 2064;
/** The largest bucket of |y| ≤ 1 (the float32 bits of 1 >> 17), and the bucket count per sign. */
const TOP: u32 = 8128;
const PER_SIGN: u32 = 8129;

/** Where the scales of a slot of n numbers start, in bytes from its codes. */
@inline export function scalesAt(s: usize, n: i32): usize {
  return s + ((<usize>n + 15) & ~(<usize>15));
}

/** A lane of dequantized state: MAP[code] · scale for the codes at `codes`. */
@inline export function deq<T>(codes: usize, map: usize, scale: T): T {
  if (isVector<T>()) {
    let x = f32x4.splat(load<f32>(map + (<usize>load<u8>(codes) << 2)));
    x = f32x4.replace_lane(x, 1, load<f32>(map + (<usize>load<u8>(codes, 1) << 2)));
    x = f32x4.replace_lane(x, 2, load<f32>(map + (<usize>load<u8>(codes, 2) << 2)));
    x = f32x4.replace_lane(x, 3, load<f32>(map + (<usize>load<u8>(codes, 3) << 2)));
    return <T>f32x4.mul(x, <v128>scale);
  }
  return <T>(load<f32>(map + (<usize>load<u8>(codes) << 2)) * <f32>scale);
}

/**
 * The code of a normalized y (|y| ≤ 1): #{k : t[k] < y} over the ascending thresholds, a value on a
 * threshold taking the lower entry. Without a search: the bucket of y (sign and its float32 bits >> 17:
 * exponent and 6 mantissa bits) gives the code of the bucket's lowest value, and at most two
 * thresholds lie inside a bucket (checked when the table is built), so two comparisons finish it.
 */
@inline function codeOf(y: f32, map: usize): u32 {
  const bits = reinterpret<u32>(y);
  const bucket = min<u32>((bits & 0x7fffffff) >> 17, TOP) + (bits >> 31) * PER_SIGN;
  const base = <u32>load<u8>(map + BUCKETS + <usize>bucket);
  const t = map + THRESHOLDS + (<usize>base << 2);
  return base + <u32>(load<f32>(t) < y) + <u32>(load<f32>(t, 4) < y);
}

/** Stores the codes of a lane x / divisor (divisor: the block's scale, 1 for an all-zero block; a poisoned block's codes are zeroed after). */
@inline export function quantize<T>(codes: usize, x: T, divisor: T, map: usize): void {
  const y = div<T>(x, divisor), t = map;
  if (isVector<T>()) {
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 0), t));
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 1), t), 1);
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 2), t), 2);
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 3), t), 3);
  } else store<u8>(codes, codeOf(<f32>y, t));
}

/** The codes of len floats at `from` (a block's new values) divided by `divisor`, stored at `codes`. */
@inline export function quantizeBlock(from: usize, codes: usize, len: i32, divisor: f32, map: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const d = f32x4.splat(divisor);
    for (; i + 4 <= len; i += 4) quantize<v128>(codes + <usize>i, v128.load(from + (<usize>i << 2)), d, map);
  }
  for (; i < len; i++) quantize<f32>(codes + <usize>i, load<f32>(from + (<usize>i << 2)), divisor, map);
}

/** A block whose scale is NaN stores codes 0 (its y were NaN, which the buckets do not map to 0). */
@inline export function zeroIfPoisoned(codes: usize, len: i32, scale: f32): void {
  if (scale != scale) memory.fill(codes, 0, <usize>len);
}

/** The running absmax of a lane: NaN propagates (wasm max), so a block with a NaN ends NaN. */
@inline export function absmax<T>(acc: T, x: T): T {
  if (isVector<T>()) return <T>f32x4.max(<v128>acc, f32x4.abs(<v128>x));
  return <T>max<f32>(<f32>acc, abs<f32>(<f32>x));
}

/** The largest lane of a vector absmax. */
@inline export function reduceMax(v: v128, s: f32): f32 {
  s = max<f32>(s, f32x4.extract_lane(v, 0));
  s = max<f32>(s, f32x4.extract_lane(v, 1));
  s = max<f32>(s, f32x4.extract_lane(v, 2));
  return max<f32>(s, f32x4.extract_lane(v, 3));
}

/** The scale a block stores: its absmax, or NaN when that is NaN or ∞ (the whole block then reads NaN). */
@inline export function scaleOf(a: f32): f32 {
  return a - a == 0 ? a : NaN;
}

/** The divisor of a block's quantization: its scale, 1 when that is 0 (every value is ±0 and gets the code of 0). */
@inline export function divisorOf(scale: f32): f32 {
  return scale == 0 ? 1 : scale;
}

/** Stores a block's scale; NaN as the canonical 0xFFFFFFFF. */
@inline export function storeScale(ptr: usize, scale: f32): void {
  store<u32>(ptr, scale != scale ? 0xffffffff : reinterpret<u32>(scale));
}
