/**
 * Σ x² over n floats at ptr, accumulated in float64: the squared norm for gradient clipping.
 *
 * Why float64: a float32 running sum of 10M squares loses about 3 significant digits; squares of
 * float32 values are exact in float64 and the sum of 1e9 of them cannot overflow, so the result
 * is also finite exactly when every input is (the non-finite guard reads it for free).
 *
 * The summation order is part of the contract, because the scalar build and the js backend must
 * give the same bits: eight partial sums s[j] over i ≡ j (mod 8) for i < n & ~7, combined as
 * ((s0+s2)+(s4+s6)) + ((s1+s3)+(s5+s7)), then the tail (n % 8 elements, in order) is added.
 * The SIMD body holds s[0..7] as four f64x2 accumulators; eight chains hide the add latency.
 * ptr needs no alignment (v128.load's alignment is only a hint).
 */
export function sumSquares(ptr: usize, n: i32): f64 {
  const body = n & ~7;
  let sum: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (let i = 0; i < body; i += 8) {
      const x = v128.load(ptr + (<usize>i << 2));
      const y = v128.load(ptr + (<usize>i << 2) + 16);
      a0 = f64x2.add(a0, squaresLow(x));
      a1 = f64x2.add(a1, squaresHigh(x));
      a2 = f64x2.add(a2, squaresLow(y));
      a3 = f64x2.add(a3, squaresHigh(y));
    }
    sum = pairedTotal(a0, a1, a2, a3);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0, s4: f64 = 0, s5: f64 = 0, s6: f64 = 0, s7: f64 = 0;
    for (let i = 0; i < body; i += 8) {
      const p = ptr + (<usize>i << 2);
      s0 += sq(p); s1 += sq(p + 4); s2 += sq(p + 8); s3 += sq(p + 12);
      s4 += sq(p + 16); s5 += sq(p + 20); s6 += sq(p + 24); s7 += sq(p + 28);
    }
    sum = eightTotal(s0, s1, s2, s3, s4, s5, s6, s7);
  }
  let tail: f64 = 0;
  for (let i = body; i < n; i++) tail += sq(ptr + (<usize>i << 2));
  return sum + tail;
}

// The pieces of this order, shared with the other reductions that follow it (kernels/adafactorLane.ts).

/** Lanes 0 and 1 of x, squared in float64 (exactly: a float32 squared fits a float64). */
@inline export function squaresLow(x: v128): v128 {
  const d = f64x2.promote_low_f32x4(x);
  return f64x2.mul(d, d);
}

/** Lanes 2 and 3 of x, squared in float64. */
@inline export function squaresHigh(x: v128): v128 {
  const d = f64x2.promote_low_f32x4(f32x4.shuffle(x, x, 2, 3, 2, 3));
  return f64x2.mul(d, d);
}

/** The eight partial sums held as (s0, s1), (s2, s3), (s4, s5), (s6, s7), combined in the contract's order. */
@inline export function pairedTotal(a0: v128, a1: v128, a2: v128, a3: v128): f64 {
  const pairs = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(pairs, 0) + f64x2.extract_lane(pairs, 1);
}

/** ((s0+s2)+(s4+s6)) + ((s1+s3)+(s5+s7)). */
@inline export function eightTotal(s0: f64, s1: f64, s2: f64, s3: f64, s4: f64, s5: f64, s6: f64, s7: f64): f64 {
  return ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7));
}

@inline function sq(p: usize): f64 {
  const x = <f64>load<f32>(p);
  return x * x;
}
