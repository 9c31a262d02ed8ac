import { ld, st, splat, add, sub, mul, div, sqrt, max, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

/**
 * Adam / AdamW, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  p ← decay·p;
 *   m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²;  (amsgrad) vmax ← max(vmax, v);
 *   p ← p − stepSize·m / (√v̂ + epsHat)
 * with 1−β1, 1−β2, stepSize = lr·√bc2 / bc1 and epsHat = eps·√bc2 computed in float64 by the caller:
 * algebraically PyTorch's lr/bc1 · m / (√v/√bc2 + eps), with one division instead of two.
 */
export function adam(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool,
): void {
  if (amsgrad) adamLoop(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, true);
  else adamLoop(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, false);
}

@inline function adamLoop(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, oneMinusB1: f32, beta2: f32, oneMinusB2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), decayV = splat<v128>(decay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusB1);
    const b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusB2);
    const stepV = splat<v128>(stepSize), epsV = splat<v128>(epsHat);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Two independent vectors per iteration (lanes do not interact, so the bits are unchanged).
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, adamLane<v128>(p + o, g + o, m + o, v + o, vmax + o, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad));
      seenB = watch(seenB, adamLane<v128>(p + o + 16, g + o + 16, m + o + 16, v + o + 16, vmax + o + 16, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, adamLane<v128>(p + o, g + o, m + o, v + o, vmax + o, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(m, i);
      canonicalizeNaN(v, i);
      if (amsgrad) canonicalizeNaN(vmax, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    adamLane<f32>(p + o, g + o, m + o, v + o, vmax + o, gScale, wd, decay, beta1, oneMinusB1, beta2, oneMinusB2, stepSize, epsHat, amsgrad);
  }
}

@inline function adamLane<T>(
  p: usize, g: usize, m: usize, v: usize, vmax: usize,
  gScale: T, wd: T, decay: T, b1: T, c1: T, b2: T, c2: T, stepSize: T, epsHat: T, amsgrad: bool,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const mi = add<T>(mul<T>(b1, ld<T>(m)), mul<T>(c1, gi));
  let vi = add<T>(mul<T>(b2, ld<T>(v)), mul<T>(c2, mul<T>(gi, gi)));
  st<T>(m, mi);
  st<T>(v, vi);
  if (amsgrad) {
    vi = max<T>(ld<T>(vmax), vi);
    st<T>(vmax, vi);
  }
  const update = div<T>(mul<T>(stepSize, mi), add<T>(sqrt<T>(vi), epsHat));
  const next = sub<T>(mul<T>(decay, pi), update);
  st<T>(p, next);
  return next; // the watch: m, v and vmax all reach it through arithmetic
}
