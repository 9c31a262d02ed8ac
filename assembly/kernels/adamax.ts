import { ld, st, splat, add, sub, mul, div, max, abs, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { ema, scaledGrad } from "../ops/moments";

/**
 * Adamax, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  m ← β1·m + (1−β1)·g';  u ← max(β2·u, |g'| + epsInMax);
 *   p ← p − stepSize·m / (u + epsOutside)
 * stepSize = lr_t / (1 − β1ᵗ) comes from the caller in float64. PyTorch and Optax put ε inside the
 * max (epsInMax = ε, epsOutside = 0); TF.js and Keras add it to the denominator (the reverse).
 * Adding the zero is exact, so one loop serves both conventions.
 */
export function adamax(
  p: usize, g: usize, m: usize, u: usize, n: i32,
  gScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32,
  epsInMax: f32, epsOutside: f32, stepSize: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusBeta1), b2V = splat<v128>(beta2);
    const epsInV = splat<v128>(epsInMax), epsOutV = splat<v128>(epsOutside), stepV = splat<v128>(stepSize);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, adamaxLane<v128>(p + o, g + o, m + o, u + o, gScaleV, wdV, b1V, c1V, b2V, epsInV, epsOutV, stepV));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(m, i);
      canonicalizeNaN(u, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    adamaxLane<f32>(p + o, g + o, m + o, u + o, gScale, weightDecay, beta1, oneMinusBeta1, beta2, epsInMax, epsOutside, stepSize);
  }
}

@inline function adamaxLane<T>(
  p: usize, g: usize, m: usize, u: usize,
  gScale: T, wd: T, b1: T, c1: T, b2: T, epsIn: T, epsOut: T, stepSize: T,
): T {
  const pi = ld<T>(p);
  const gi = scaledGrad<T>(g, pi, gScale, wd);
  const mi = ema<T>(m, b1, c1, gi);
  const ui = max<T>(mul<T>(b2, ld<T>(u)), add<T>(abs<T>(gi), epsIn));
  st<T>(u, ui);
  const next = sub<T>(pi, div<T>(mul<T>(stepSize, mi), add<T>(ui, epsOut)));
  st<T>(p, next);
  return next; // the watch: m and u reach it through arithmetic (max propagates NaN)
}
