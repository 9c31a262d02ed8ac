import { ld, st, splat, add, sub, mul, div, sqrt, max, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

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
  adamFlags(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, amsgrad, F32, 0, 0);
}

/**
 * adam over bfloat16 state (m, v, vmax: 2 bytes a number, 8-byte aligned). The update uses the
 * float32 moments it computed; only what is stored is rounded. `origin` is the group's value block:
 * (p − origin) / 4 is this call's first element in the group, whatever part of it a thread runs.
 */
export function adamBf16(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool, stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) adamFlags(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, amsgrad, BF16_SR, key, first);
  else adamFlags(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, epsHat, amsgrad, BF16, 0, first);
}

@inline function adamFlags(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, c1: f32, beta2: f32, c2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool, mode: i32, key: u32, first: u32,
): void {
  // gScale = decay = 1 (no clipping, maximize or decoupled decay: plain Adam) skips two multiplies
  // by 1, which change no bit; 10% faster at 16M, where the arithmetic competes with the memory traffic.
  if (mode == F32 && gScale == 1 && decay == 1) {
    if (amsgrad) adamLoop(p, g, m, v, vmax, n, gScale, wd, decay, beta1, c1, beta2, c2, stepSize, epsHat, true, mode, key, first, true);
    else adamLoop(p, g, m, v, vmax, n, gScale, wd, decay, beta1, c1, beta2, c2, stepSize, epsHat, false, mode, key, first, true);
  } else if (amsgrad) adamLoop(p, g, m, v, vmax, n, gScale, wd, decay, beta1, c1, beta2, c2, stepSize, epsHat, true, mode, key, first, false);
  else adamLoop(p, g, m, v, vmax, n, gScale, wd, decay, beta1, c1, beta2, c2, stepSize, epsHat, false, mode, key, first, false);
}

@inline function adamLoop(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, oneMinusB1: f32, beta2: f32, oneMinusB2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool, mode: i32, key: u32, first: u32, unit: bool,
): void {
  const km = slotKey(key, 0), kv = slotKey(key, 1), kx = slotKey(key, 2);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), decayV = splat<v128>(decay);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusB1);
    const b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusB2);
    const stepV = splat<v128>(stepSize), epsV = splat<v128>(epsHat);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Four independent vectors per iteration (lanes do not interact, so the bits are unchanged): at
    // 16M, where the arithmetic competes with the memory traffic, 8% faster than two.
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2, at = first + <u32>i;
      const s0 = stateAt(0, i, mode), s1 = stateAt(0, i + 4, mode), s2 = stateAt(0, i + 8, mode), s3 = stateAt(0, i + 12, mode);
      seenA = watch(seenA, adamLane<v128>(p + o, g + o, m + s0, v + s0, vmax + s0, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at, unit));
      seenB = watch(seenB, adamLane<v128>(p + o + 16, g + o + 16, m + s1, v + s1, vmax + s1, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at + 4, unit));
      seenA = watch(seenA, adamLane<v128>(p + o + 32, g + o + 32, m + s2, v + s2, vmax + s2, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at + 8, unit));
      seenB = watch(seenB, adamLane<v128>(p + o + 48, g + o + 48, m + s3, v + s3, vmax + s3, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at + 12, unit));
    }
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), t = stateAt(0, i + 4, mode), at = first + <u32>i;
      seenA = watch(seenA, adamLane<v128>(p + o, g + o, m + s, v + s, vmax + s, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at, unit));
      seenB = watch(seenB, adamLane<v128>(p + o + 16, g + o + 16, m + t, v + t, vmax + t, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, at + 4, unit));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode);
      seenA = watch(seenA, adamLane<v128>(p + o, g + o, m + s, v + s, vmax + s, gScaleV, wdV, decayV, b1V, c1V, b2V, c2V, stepV, epsV, amsgrad, mode, km, kv, kx, first + <u32>i, unit));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(p, i);
      canonicalizeState(m, i, mode);
      canonicalizeState(v, i, mode);
      if (amsgrad) canonicalizeState(vmax, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode);
    adamLane<f32>(p + o, g + o, m + s, v + s, vmax + s, gScale, wd, decay, beta1, oneMinusB1, beta2, oneMinusB2, stepSize, epsHat, amsgrad, mode, km, kv, kx, first + <u32>i, unit);
  }
}

@inline function adamLane<T>(
  p: usize, g: usize, m: usize, v: usize, vmax: usize,
  gScale: T, wd: T, decay: T, b1: T, c1: T, b2: T, c2: T, stepSize: T, epsHat: T, amsgrad: bool,
  mode: i32, km: u32, kv: u32, kx: u32, at: u32, unit: bool,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(unit ? ld<T>(g) : mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const mi = add<T>(mul<T>(b1, lds<T>(m, mode)), mul<T>(c1, gi));
  let vi = add<T>(mul<T>(b2, lds<T>(v, mode)), mul<T>(c2, mul<T>(gi, gi)));
  sts<T>(m, mi, mode, km, at);
  sts<T>(v, vi, mode, kv, at);
  if (amsgrad) {
    vi = max<T>(lds<T>(vmax, mode), vi);
    sts<T>(vmax, vi, mode, kx, at);
  }
  const update = div<T>(mul<T>(stepSize, mi), add<T>(sqrt<T>(vi), epsHat));
  const next = sub<T>(unit ? pi : mul<T>(decay, pi), update);
  st<T>(p, next);
  return next; // the watch: m, v and vmax all reach it through arithmetic
}
