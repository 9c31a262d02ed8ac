import { ld, st, canonicalizeNaN } from "./lane";

// How a kernel's state slots are stored, a compile-time constant of every generic kernel loop:
// float32 (4 bytes a number), or bfloat16 (2 bytes: the top half of a float32) rounded to nearest
// even or stochastically. A load dequantizes exactly (bits << 16) to the same lane type as the
// float32 path, so the update itself is the float32 one; a store rounds. The js twin is
// src/backend/js/storage.ts.

export const F32: i32 = 0;
export const BF16: i32 = 1;
/** bfloat16 rounded stochastically: + 16 random bits, then truncated (unbiased in the mean). */
export const BF16_SR: i32 = 2;

/** The one bfloat16 NaN the kernels store (the top half of the float32 NaN 0xFFFFFFFF). */
const BF16_NAN: u32 = 0xffff;

/** Byte offset of state element i in a slot at s. */
@inline export function stateAt(s: usize, i: i32, mode: i32): usize {
  return s + (<usize>i << (mode == F32 ? 2 : 1));
}

/** Loads a lane of state: four bfloat16 widened to float32 bits (exact), or float32 as `ld`. */
@inline export function lds<T>(ptr: usize, mode: i32): T {
  if (mode == F32) return ld<T>(ptr);
  if (isVector<T>()) return <T>i32x4.shl(i32x4.extend_low_i16x8_u(v128.load64_zero(ptr)), 16);
  return <T>reinterpret<f32>(<u32>load<u16>(ptr) << 16);
}

/**
 * Stores a lane of state. bfloat16: (bits + r) >> 16 with r = 0x7FFF + the kept lowest bit (nearest,
 * ties to even) or 16 random bits (stochastic); ±∞ stay ∞ (their low half is 0, r < 2¹⁶), a finite
 * value past the largest bfloat16 rounds to ∞ (as any float overflow), every NaN stores BF16_NAN,
 * inline: a NaN whose bits are past 0xFFFF8000 would wrap the sum to a small number, so the SIMD
 * body cannot leave NaNs to its watch as the float32 path does. `index` is the lane's first
 * element's index in its group and `key` the step's hash key for this slot (`stochastic` only).
 */
@inline export function sts<T>(ptr: usize, x: T, mode: i32, key: u32, index: u32): void {
  if (mode == F32) {
    st<T>(ptr, x);
  } else if (isVector<T>()) {
    const bits = <v128>x;
    let r: v128;
    if (mode == BF16) r = i32x4.add(i32x4.splat(0x7fff), v128.and(i32x4.shr_u(bits, 16), i32x4.splat(1)));
    else r = v128.and(mix4(v128.xor(i32x4.add(i32x4.splat(index), i32x4(0, 1, 2, 3)), i32x4.splat(key))), i32x4.splat(0xffff));
    const nan = v128.and(f32x4.ne(bits, bits), i32x4.splat(BF16_NAN));
    const half = v128.or(i32x4.shr_u(i32x4.add(bits, r), 16), nan);
    v128.store64_lane(ptr, i16x8.narrow_i32x4_u(half, half), 0);
  } else {
    const bits = reinterpret<u32>(<f32>x);
    const r = mode == BF16 ? 0x7fff + ((bits >> 16) & 1) : mix(index ^ key) & 0xffff;
    store<u16>(ptr, ((bits + r) >> 16) | (BF16_NAN & -<u32>(<f32>x != <f32>x)));
  }
}

/** Rewrites the NaNs the SIMD body stored in a float32 slot; bfloat16 stores made theirs canonical already. */
@inline export function canonicalizeState(ptr: usize, n: i32, mode: i32): void {
  if (mode == F32) canonicalizeNaN(ptr, n);
}

/**
 * The stochastic-rounding hash of (key, element index): a 32-bit integer mixer (xor-shift and
 * multiply, constants from Wellons' hash-prospector search). `key` already mixes seed, group, step
 * and slot (src/optim/rounding.ts), so the bits depend on nothing a thread split changes.
 */
@inline export function mix(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x21f0aaad;
  x ^= x >> 15;
  x *= 0x735a2d97;
  x ^= x >> 15;
  return x;
}

@inline function mix4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x21f0aaad));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x735a2d97));
  return v128.xor(x, i32x4.shr_u(x, 15));
}

/** The per-slot key: slots of one element get unrelated random bits. */
@inline export function slotKey(key: u32, slot: u32): u32 {
  return key + slot * 0x9e3779b9;
}
