import { div, max, abs } from "./lane";

// Block-wise 8-bit state (bitsandbytes' 8-bit optimizers). A slot of L numbers is L one-byte codes,
// padded to 16 bytes, then ceil(L / 256) float32 scales: x = MAP[code] · scale, the scale being the
// block's absmax. The maps and their decision thresholds come from the caller in a heap block
// (`tables`: signed map, signed thresholds, unsigned map, unsigned thresholds, 256 float32 each),
// computed once in TypeScript (src/backend/js/int8.ts, the js twin), so every backend uses the same
// bits. There is no wasm static data: the heap owns the whole memory.

export const BLOCK: i32 = 256;
export const SIGNED: usize = 0;
export const UNSIGNED: usize = 2048;
const THRESHOLDS: usize = 1024;

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
 * The code of a normalized y: #{k : t[k] < y} over the 256 ascending thresholds (t[255] = +∞), a
 * branch-free binary search. y exactly on a threshold takes the lower entry; NaN takes code 0.
 */
@inline function codeOf(y: f32, t: usize): u32 {
  let pos: u32 = 0;
  pos += select<u32>(128, 0, load<f32>(t + (<usize>(pos + 127) << 2)) < y);
  pos += select<u32>(64, 0, load<f32>(t + (<usize>(pos + 63) << 2)) < y);
  pos += select<u32>(32, 0, load<f32>(t + (<usize>(pos + 31) << 2)) < y);
  pos += select<u32>(16, 0, load<f32>(t + (<usize>(pos + 15) << 2)) < y);
  pos += select<u32>(8, 0, load<f32>(t + (<usize>(pos + 7) << 2)) < y);
  pos += select<u32>(4, 0, load<f32>(t + (<usize>(pos + 3) << 2)) < y);
  pos += select<u32>(2, 0, load<f32>(t + (<usize>(pos + 1) << 2)) < y);
  pos += select<u32>(1, 0, load<f32>(t + (<usize>pos << 2)) < y);
  return pos;
}

/** Stores the codes of a lane x / divisor (divisor: the block's scale, 1 for an all-zero block, NaN for a poisoned one: codes 0). */
@inline export function quantize<T>(codes: usize, x: T, divisor: T, map: usize): void {
  const y = div<T>(x, divisor), t = map + THRESHOLDS;
  if (isVector<T>()) {
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 0), t));
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 1), t), 1);
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 2), t), 2);
    store<u8>(codes, codeOf(f32x4.extract_lane(<v128>y, 3), t), 3);
  } else store<u8>(codes, codeOf(<f32>y, t));
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
