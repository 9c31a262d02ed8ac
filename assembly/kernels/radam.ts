import { ld, st, splat, add, sub, mul, div, sqrt } from "../ops/lane";

/**
 * RAdam, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²;
 *   rectified:  p ← decay·p − stepSize·m / (√v + epsHat)
 *   otherwise:  p ← decay·p − stepSize·m          (the un-adapted warm-up steps)
 * The caller decides `rectified` (ρ_t > 5) and folds r_t and both bias corrections into stepSize
 * and epsHat in float64.
 */
export function radam(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  stepSize: f32, epsHat: f32, rectified: bool,
): void {
  if (rectified) radamLoop(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, true);
  else radamLoop(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, false);
}

@inline function radamLoop(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, oneMinusB1: f32, beta2: f32, oneMinusB2: f32,
  stepSize: f32, epsHat: f32, rectified: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), decayV = splat<v128>(decay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusB1);
    const b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusB2);
    const stepV = splat<v128>(stepSize), epsV = splat<v128>(epsHat);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      radamLane<v128>(p + o, g + o, m + o, v + o, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, rectified);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    radamLane<f32>(p + o, g + o, m + o, v + o, gScale, wd, decay, beta1, oneMinusB1, beta2, oneMinusB2, stepSize, epsHat, rectified);
  }
}

@inline function radamLane<T>(
  p: usize, g: usize, m: usize, v: usize,
  gScale: T, wd: T, decay: T, b1: T, c1: T, b2: T, c2: T, stepSize: T, epsHat: T, rectified: bool,
): void {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const mi = add<T>(mul<T>(b1, ld<T>(m)), mul<T>(c1, gi));
  const vi = add<T>(mul<T>(b2, ld<T>(v)), mul<T>(c2, mul<T>(gi, gi)));
  st<T>(m, mi);
  st<T>(v, vi);
  const scaled = mul<T>(stepSize, mi);
  const update = rectified ? div<T>(scaled, add<T>(sqrt<T>(vi), epsHat)) : scaled;
  st<T>(p, sub<T>(mul<T>(decay, pi), update));
}
