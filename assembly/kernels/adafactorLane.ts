import { ld, st, splat, add, sub, mul, div, sqrt, max } from "../ops/lane";
import { squaresLow, squaresHigh, pairedTotal, eightTotal } from "../ops/sumSquares";

// The per-element arithmetic of Adafactor (torch.optim.Adafactor's order, docs/adafactor.md) and
// the one summation order every Adafactor reduction uses. Shared by kernels/adafactor.ts.

/** What an element's lane value x is: compile-time constants of the inlined loops. */
export const GRAD: i32 = 0; // G = gScale·g (the row and column statistics square it)
export const FACTORED: i32 = 1; // U from V = (r·C[j]) / m, the factored estimate
export const VARIANCE: i32 = 2; // U from V = v (an unfactored param's variance, read)
export const VARIANCE_LERP: i32 = 3; // U from V = v ← lerp(v, G², w) (stored first)

/**
 * torch's lerp s + w·(x − s), in its two forms: for |w| < 0.5 `s + w·(x − s)`, else
 * `x − (x − s)·(1 − w)` (exact at w = 1, the first step's weight), without a fused multiply-add.
 */
@inline export function lerp<T>(s: T, x: T, w: T, oneMinusW: T, small: bool): T {
  return small ? add<T>(s, mul<T>(w, sub<T>(x, s))) : sub<T>(x, mul<T>(sub<T>(x, s), oneMinusW));
}

/**
 * The lane value of one element: G, or the update U = rsqrt(max(V, ε1²))·G. For VARIANCE_LERP it
 * stores the new variance (with st: the SIMD caller canonicalizes NaNs, see adafactorVectorSq).
 */
@inline export function laneValue<T>(
  mode: i32, g: usize, aux: usize, gScale: T, r: T, m: T, eps1Sq: T, w: T, oneMinusW: T, small: bool,
): T {
  const grad = mul<T>(gScale, ld<T>(g));
  if (mode == GRAD) return grad;
  let v: T;
  if (mode == FACTORED) v = div<T>(mul<T>(r, ld<T>(aux)), m);
  else if (mode == VARIANCE) v = ld<T>(aux);
  else {
    v = lerp<T>(ld<T>(aux), mul<T>(grad, grad), w, oneMinusW, small);
    st<T>(aux, v);
  }
  return mul<T>(div<T>(splat<T>(1), sqrt<T>(max<T>(v, eps1Sq))), grad);
}

/**
 * Σ x² over n consecutive elements (x = laneValue), in float64, in sumSquares's order
 * (assembly/ops/sumSquares.ts): eight partial sums s[j] over i ≡ j (mod 8) for i < n & ~7,
 * combined as ((s0+s2)+(s4+s6)) + ((s1+s3)+(s5+s7)), then the n % 8 tail added in order.
 * A float32 squared is exact in float64, so only the additions round, identically on every backend.
 */
@inline export function sumLaneSquares(
  mode: i32, g: usize, aux: usize, n: i32, gScale: f32, r: f32, m: f32, eps1Sq: f32, w: f32, oneMinusW: f32, small: bool,
): f64 {
  const body = n & ~7;
  let sum: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), rV = splat<v128>(r), mV = splat<v128>(m), epsV = splat<v128>(eps1Sq);
    const wV = splat<v128>(w), cV = splat<v128>(oneMinusW);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (let i = 0; i < body; i += 8) {
      const o = <usize>i << 2;
      const x = laneValue<v128>(mode, g + o, aux + o, gScaleV, rV, mV, epsV, wV, cV, small);
      const y = laneValue<v128>(mode, g + o + 16, aux + o + 16, gScaleV, rV, mV, epsV, wV, cV, small);
      a0 = f64x2.add(a0, squaresLow(x));
      a1 = f64x2.add(a1, squaresHigh(x));
      a2 = f64x2.add(a2, squaresLow(y));
      a3 = f64x2.add(a3, squaresHigh(y));
    }
    sum = pairedTotal(a0, a1, a2, a3);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0, s4: f64 = 0, s5: f64 = 0, s6: f64 = 0, s7: f64 = 0;
    for (let i = 0; i < body; i += 8) {
      const o = <usize>i << 2;
      s0 += square(laneValue<f32>(mode, g + o, aux + o, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s1 += square(laneValue<f32>(mode, g + o + 4, aux + o + 4, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s2 += square(laneValue<f32>(mode, g + o + 8, aux + o + 8, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s3 += square(laneValue<f32>(mode, g + o + 12, aux + o + 12, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s4 += square(laneValue<f32>(mode, g + o + 16, aux + o + 16, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s5 += square(laneValue<f32>(mode, g + o + 20, aux + o + 20, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s6 += square(laneValue<f32>(mode, g + o + 24, aux + o + 24, gScale, r, m, eps1Sq, w, oneMinusW, small));
      s7 += square(laneValue<f32>(mode, g + o + 28, aux + o + 28, gScale, r, m, eps1Sq, w, oneMinusW, small));
    }
    sum = eightTotal(s0, s1, s2, s3, s4, s5, s6, s7);
  }
  let tail: f64 = 0;
  for (let i = body; i < n; i++) {
    const o = <usize>i << 2;
    tail += square(laneValue<f32>(mode, g + o, aux + o, gScale, r, m, eps1Sq, w, oneMinusW, small));
  }
  return sum + tail;
}

@inline function square(x: f32): f64 {
  const d = <f64>x;
  return d * d;
}
