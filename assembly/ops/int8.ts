
// Block-wise 8-bit state. A group slot of L numbers is L one-byte codes (padded to 16 bytes), then
// ceil(L / 256) float32 scales, one per block of 256 numbers counted from the group's first element:
// x = VALUE[code] · scale, the scale being the block's absmax. The codes are 8-bit floats relative
// to the block's absmax, so both directions are a few integer operations per SIMD lane (no table,
// no gather):
//   signed (first moments): sign bit, then c = 7 bits: 0 → 0; else 2^((c >> 3) − 15) · (1 + (c & 7) / 8)
//   unsigned (second moments): c = 8 bits: 0 → 0; else 2^((c >> 3) − 31) · (1 + (c & 7) / 8)
// so 1 (the absmax) is c = 120 (signed) or 248 (unsigned), and the smallest nonzero magnitudes are
// 2^-15 and 2^-31 of it. Encoding rounds the normalized y = x · fround(1/scale) to nearest, ties to
// even, in its float32 bits; a signed y below the smallest code becomes ±0, an unsigned y > 0 never
// becomes 0 (the code 1: a second moment read as 0 would make 1/(√v + ε) blow up). A block whose
// absmax is NaN or ∞ stores scale NaN and codes 0 (it reads back NaN); one whose absmax is below the
// smallest normal float32 stores scale 0 and codes 0 (it reads back 0). The js twin is
// src/backend/js/int8.ts, the float64 reference test/reference/int8.ts.

export const BLOCK: i32 = 256;

/** The larger of two integers (./lane's max is the float lanes' one). */
@inline function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}
const SMALLEST_NORMAL: f32 = 1.1754943508222875e-38;

/** The exponent bias, times 8 (the code's 3 mantissa bits), between float32 and each code. */
const SIGNED_BIAS: i32 = (127 - 15) << 3;
const UNSIGNED_BIAS: i32 = (127 - 31) << 3;

/** Four codes (one per i32 lane) as float32 values of the code alone (the scale not applied). */
@inline function decode4(c: v128, signed: bool): v128 {
  const mag = signed ? v128.and(c, i32x4.splat(0x7f)) : c;
  const bits = v128.and(i32x4.add(i32x4.shl(mag, 20), i32x4.splat((signed ? SIGNED_BIAS : UNSIGNED_BIAS) << 20)), i32x4.ne(mag, i32x4.splat(0)));
  return signed ? v128.or(bits, i32x4.shl(v128.and(c, i32x4.splat(0x80)), 24)) : bits;
}

/** decode4 for one code. */
@inline function decode1(c: u32, signed: bool): f32 {
  const mag = signed ? c & 0x7f : c;
  const bits = mag == 0 ? 0 : (mag << 20) + (<u32>(signed ? SIGNED_BIAS : UNSIGNED_BIAS) << 20);
  return reinterpret<f32>(signed ? bits | ((c & 0x80) << 24) : bits);
}

/**
 * The rounding constant of encoding: half a unit of the code's last mantissa bit less one (the
 * kept bit adds the one back for ties to even), minus the exponent bias, so that one shift gives the code.
 */
@inline function roundingBase(signed: bool): i32 {
  return 0x7ffff - ((signed ? SIGNED_BIAS : UNSIGNED_BIAS) << 20);
}

/** The codes of a normalized vector y (|y| ≤ 1 + a rounding): its float32 bits rounded to 3 mantissa bits. */
@inline function encode4(y: v128, signed: bool): v128 {
  const a = signed ? v128.and(y, i32x4.splat(0x7fffffff)) : y;
  const r = i32x4.shr_s(i32x4.add(i32x4.add(a, i32x4.splat(roundingBase(signed))), v128.and(i32x4.shr_u(a, 20), i32x4.splat(1))), 20);
  if (signed) return v128.or(i32x4.max_s(r, i32x4.splat(0)), i32x4.shl(i32x4.shr_u(y, 31), 7));
  return v128.and(i32x4.max_s(r, i32x4.splat(1)), f32x4.gt(y, f32x4.splat(0)));
}

/** encode4 for one number. */
@inline function encode1(y: f32, signed: bool): u32 {
  const bits = reinterpret<i32>(y);
  const a = signed ? bits & 0x7fffffff : bits;
  const r = (a + roundingBase(signed) + ((a >>> 20) & 1)) >> 20;
  if (signed) return <u32>imax(r, 0) | ((<u32>bits >>> 31) << 7);
  return y > 0 ? <u32>imax(r, 1) : 0;
}

/**
 * Dequantizes `len` codes (a block) into float32 at `out`: VALUE[code] · scale. C is i8 for the
 * signed codes, u8 for the unsigned: a compile-time choice, so each is its own function (a runtime
 * flag let binaryen merge the two loops into one that computes both and selects).
 */
export function decodeBlock<C>(codes: usize, scale: f32, out: usize, len: i32): void {
  decodeLoop(codes, scale, out, len, isSigned<C>());
}

@inline function decodeLoop(codes: usize, scale: f32, out: usize, len: i32, signed: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    // Sixteen codes per load, widened to four vectors.
    for (; i + 16 <= len; i += 16) {
      const at = out + (<usize>i << 2), c = v128.load(codes + <usize>i);
      const low = i16x8.extend_low_i8x16_u(c), high = i16x8.extend_high_i8x16_u(c);
      v128.store(at, f32x4.mul(decode4(i32x4.extend_low_i16x8_u(low), signed), s));
      v128.store(at, f32x4.mul(decode4(i32x4.extend_high_i16x8_u(low), signed), s), 16);
      v128.store(at, f32x4.mul(decode4(i32x4.extend_low_i16x8_u(high), signed), s), 32);
      v128.store(at, f32x4.mul(decode4(i32x4.extend_high_i16x8_u(high), signed), s), 48);
    }
    for (; i + 4 <= len; i += 4) {
      const c = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(codes + <usize>i)));
      v128.store(out + (<usize>i << 2), f32x4.mul(decode4(c, signed), s));
    }
  }
  for (; i < len; i++) store<f32>(out + (<usize>i << 2), decode1(<u32>load<u8>(codes + <usize>i), signed) * scale);
}

/** Quantizes `len` float32 at `from` (a block's new values) into codes and the block's scale at `scaleAt`; C as for decodeBlock. */
export function encodeBlock<C>(from: usize, codes: usize, scaleAt: usize, len: i32): void {
  const a = absmaxOf(from, len);
  if (a - a != 0) {
    memory.fill(codes, 0, <usize>len);
    store<u32>(scaleAt, 0xffffffff);
  } else if (a < SMALLEST_NORMAL) {
    memory.fill(codes, 0, <usize>len);
    store<f32>(scaleAt, 0);
  } else {
    encodeLoop(from, codes, len, <f32>1 / a, isSigned<C>());
    store<f32>(scaleAt, a);
  }
}

/**
 * max |x| over the block, or a NaN or ∞ when some x is one. As integers: the bits of |x| order as
 * the numbers do and every NaN's are above ∞'s, and i32x4.max_s is one instruction where wasm's
 * f32x4.max (NaN and ±0 rules) is several on x64, in the loop-carried chain.
 */
@inline function absmaxOf(from: usize, len: i32): f32 {
  let a: i32 = 0, i = 0;
  if (ASC_FEATURE_SIMD) {
    const mask = i32x4.splat(0x7fffffff);
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0);
    for (; i + 8 <= len; i += 8) {
      const at = from + (<usize>i << 2);
      v0 = i32x4.max_s(v0, v128.and(v128.load(at), mask));
      v1 = i32x4.max_s(v1, v128.and(v128.load(at, 16), mask));
    }
    for (; i + 4 <= len; i += 4) v0 = i32x4.max_s(v0, v128.and(v128.load(from + (<usize>i << 2)), mask));
    const v = i32x4.max_s(v0, v1);
    a = imax(imax(i32x4.extract_lane(v, 0), i32x4.extract_lane(v, 1)), imax(i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3)));
  }
  for (; i < len; i++) a = imax(a, load<i32>(from + (<usize>i << 2)) & 0x7fffffff);
  return reinterpret<f32>(a);
}

@inline function encodeLoop(from: usize, codes: usize, len: i32, inverse: f32, signed: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(inverse);
    for (; i + 16 <= len; i += 16) {
      const at = from + (<usize>i << 2);
      const c0 = encode4(f32x4.mul(v128.load(at), s), signed);
      const c1 = encode4(f32x4.mul(v128.load(at, 16), s), signed);
      const c2 = encode4(f32x4.mul(v128.load(at, 32), s), signed);
      const c3 = encode4(f32x4.mul(v128.load(at, 48), s), signed);
      v128.store(codes + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(c0, c1), i16x8.narrow_i32x4_u(c2, c3)));
    }
    for (; i + 4 <= len; i += 4) {
      const c = encode4(f32x4.mul(v128.load(from + (<usize>i << 2)), s), signed);
      const half = i16x8.narrow_i32x4_u(c, c);
      v128.store32_lane(codes + <usize>i, i8x16.narrow_i16x8_u(half, half), 0);
    }
  }
  for (; i < len; i++) store<u8>(codes + <usize>i, <u8>encode1(load<f32>(from + (<usize>i << 2)) * inverse, signed));
}
