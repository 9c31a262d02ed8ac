import { ld, st, splat, add, sub, mul, div, sqrt } from "../ops/lane";

/**
 * NAdam, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  p ← decay·p;
 *   m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²;
 *   p ← p − (gCoef·g' + mCoef·m) / (√v + epsHat)
 * The caller folds the momentum schedule and both bias corrections into gCoef, mCoef and epsHat
 * (float64): PyTorch's two addcdiv terms over √(v/bc2) + ε, with one division instead of two.
 */
export function nadam(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  gCoef: f32, mCoef: f32, epsHat: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay), decayV = splat<v128>(decay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusBeta1);
    const b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusBeta2);
    const gCoefV = splat<v128>(gCoef), mCoefV = splat<v128>(mCoef), epsV = splat<v128>(epsHat);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      nadamLane<v128>(p + o, g + o, m + o, v + o, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, gCoefV, mCoefV, epsV);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    nadamLane<f32>(p + o, g + o, m + o, v + o, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat);
  }
}

@inline function nadamLane<T>(
  p: usize, g: usize, m: usize, v: usize,
  gScale: T, wd: T, decay: T, b1: T, c1: T, b2: T, c2: T, gCoef: T, mCoef: T, epsHat: T,
): void {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const mi = add<T>(mul<T>(b1, ld<T>(m)), mul<T>(c1, gi));
  const vi = add<T>(mul<T>(b2, ld<T>(v)), mul<T>(c2, mul<T>(gi, gi)));
  st<T>(m, mi);
  st<T>(v, vi);
  const step = add<T>(mul<T>(gCoef, gi), mul<T>(mCoef, mi));
  st<T>(p, sub<T>(mul<T>(decay, pi), div<T>(step, add<T>(sqrt<T>(vi), epsHat))));
}
