import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";
import { ema, scaledGrad } from "../ops/moments";

/**
 * NAdam and RAdam, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  m ← β1·m + (1−β1)·g';  v ← β2·v + (1−β2)·g'²;
 *   step = gCoef·g' + mCoef·m
 *   adaptive:  p ← decay·p − step / (√v + epsHat)
 *   otherwise: p ← decay·p − step
 * The caller folds its momentum schedule and both bias corrections into the coefficients (float64).
 * NAdam: PyTorch's two Nesterov addcdiv terms over √(v/bc2) + ε, with one division.
 * RAdam: gCoef = 0; adaptive once ρ_t > 5, a plain momentum step before.
 */
export function nadam(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  gCoef: f32, mCoef: f32, epsHat: f32, adaptive: bool,
): void {
  nadamFlags(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, adaptive, F32, 0, 0);
}

/** nadam over bfloat16 state (2 bytes a number; see adamBf16). */
export function nadamBf16(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  gCoef: f32, mCoef: f32, epsHat: f32, adaptive: bool,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) nadamFlags(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, adaptive, BF16_SR, key, first);
  else nadamFlags(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, adaptive, BF16, 0, first);
}

@inline function nadamFlags(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  gCoef: f32, mCoef: f32, epsHat: f32, adaptive: bool,
  mode: i32, key: u32, first: u32,
): void {
  if (adaptive) nadamLoop(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, true, mode, key, first);
  else nadamLoop(p, g, m, v, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, false, mode, key, first);
}

@inline function nadamLoop(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  gCoef: f32, mCoef: f32, epsHat: f32, adaptive: bool,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), decayV = splat<v128>(decay), epsV = splat<v128>(epsHat);
    const beta1V = splat<v128>(beta1), beta2V = splat<v128>(beta2), gCoefV = splat<v128>(gCoef), mCoefV = splat<v128>(mCoef);
    const weight1V = splat<v128>(oneMinusBeta1), weight2V = splat<v128>(oneMinusBeta2);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, nadamLane<v128>(p + o, g + o, m + s, v + s, gScaleV, wdV, decayV, beta1V, weight1V, beta2V, weight2V, gCoefV, mCoefV, epsV, adaptive, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(m, i, mode);
      canonicalizeState(v, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    nadamLane<f32>(p + o, g + o, m + s, v + s, gScale, wd, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, gCoef, mCoef, epsHat, adaptive, mode, key, at);
  }
}

@inline function nadamLane<T>(
  p: usize, g: usize, m: usize, v: usize,
  gScale: T, wd: T, decay: T, beta1: T, weight1: T, beta2: T, weight2: T, gCoef: T, mCoef: T, epsHat: T, adaptive: bool,
  mode: i32, key: u32, at: u32,
): T {
  const pi = ld<T>(p);
  const gi = scaledGrad<T>(g, pi, gScale, wd);
  const mi = ema<T>(m, beta1, weight1, gi, mode, slotKey(key, 0), at);
  const vi = ema<T>(v, beta2, weight2, mul<T>(gi, gi), mode, slotKey(key, 1), at);
  const step = add<T>(mul<T>(gCoef, gi), mul<T>(mCoef, mi));
  const update = adaptive ? div<T>(step, add<T>(sqrt<T>(vi), epsHat)) : step;
  const next = sub<T>(mul<T>(decay, pi), update);
  st<T>(p, next);
  // The watch: m reaches p through arithmetic, v only in the adaptive update.
  return adaptive ? next : add<T>(next, vi);
}
