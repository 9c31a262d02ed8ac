import { ld, st, splat, add, sub, mul, div, max, abs, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";
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
  adamaxLoop(p, g, m, u, n, gScale, weightDecay, beta1, oneMinusBeta1, beta2, epsInMax, epsOutside, stepSize, F32, 0, 0);
}

/** adamax over bfloat16 state (2 bytes a number; see adamBf16). */
export function adamaxBf16(
  p: usize, g: usize, m: usize, u: usize, n: i32,
  gScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32,
  epsInMax: f32, epsOutside: f32, stepSize: f32,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) adamaxLoop(p, g, m, u, n, gScale, weightDecay, beta1, oneMinusBeta1, beta2, epsInMax, epsOutside, stepSize, BF16_SR, key, first);
  else adamaxLoop(p, g, m, u, n, gScale, weightDecay, beta1, oneMinusBeta1, beta2, epsInMax, epsOutside, stepSize, BF16, 0, first);
}

@inline function adamaxLoop(
  p: usize, g: usize, m: usize, u: usize, n: i32,
  gScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32,
  epsInMax: f32, epsOutside: f32, stepSize: f32,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusBeta1), b2V = splat<v128>(beta2);
    const epsInV = splat<v128>(epsInMax), epsOutV = splat<v128>(epsOutside), stepV = splat<v128>(stepSize);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, adamaxLane<v128>(p + o, g + o, m + s, u + s, gScaleV, wdV, b1V, c1V, b2V, epsInV, epsOutV, stepV, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(m, i, mode);
      canonicalizeState(u, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    adamaxLane<f32>(p + o, g + o, m + s, u + s, gScale, weightDecay, beta1, oneMinusBeta1, beta2, epsInMax, epsOutside, stepSize, mode, key, at);
  }
}

@inline function adamaxLane<T>(
  p: usize, g: usize, m: usize, u: usize,
  gScale: T, wd: T, b1: T, c1: T, b2: T, epsIn: T, epsOut: T, stepSize: T,
  mode: i32, key: u32, at: u32,
): T {
  const pi = ld<T>(p);
  const gi = scaledGrad<T>(g, pi, gScale, wd);
  const mi = ema<T>(m, b1, c1, gi, mode, slotKey(key, 0), at);
  const ui = max<T>(mul<T>(b2, lds<T>(u, mode)), add<T>(abs<T>(gi), epsIn));
  sts<T>(u, ui, mode, slotKey(key, 1), at);
  const next = sub<T>(pi, div<T>(mul<T>(stepSize, mi), add<T>(ui, epsOut)));
  st<T>(p, next);
  return next; // the watch: m and u reach it through arithmetic (max propagates NaN)
}
