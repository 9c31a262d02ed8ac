import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

/**
 * Adadelta, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  v' = ρ·v + (1−ρ)·g'²
 *   δ = (√(u + eps) / √(w + eps))·g', with w = v' (PyTorch, Keras, Optax) or the previous v (TF.js)
 *   v ← v';  u ← ρ·u + (1−ρ)·δ²;  p ← p − lr·δ
 */
export function adadelta(
  p: usize, g: usize, sq: usize, accDelta: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, rho: f32, oneMinusRho: f32, eps: f32, previousSquareAvg: bool,
): void {
  adadeltaFlags(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, previousSquareAvg, F32, 0, 0);
}

/** adadelta over bfloat16 state (2 bytes a number; see adamBf16). */
export function adadeltaBf16(
  p: usize, g: usize, sq: usize, accDelta: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, rho: f32, oneMinusRho: f32, eps: f32, previousSquareAvg: bool,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) adadeltaFlags(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, previousSquareAvg, BF16_SR, key, first);
  else adadeltaFlags(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, previousSquareAvg, BF16, 0, first);
}

@inline function adadeltaFlags(
  p: usize, g: usize, sq: usize, accDelta: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, rho: f32, oneMinusRho: f32, eps: f32, previousSquareAvg: bool,
  mode: i32, key: u32, first: u32,
): void {
  if (previousSquareAvg) adadeltaLoop(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, true, mode, key, first);
  else adadeltaLoop(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, false, mode, key, first);
}

@inline function adadeltaLoop(
  p: usize, g: usize, sq: usize, accDelta: usize, n: i32,
  lr: f32, gScale: f32, wd: f32, rho: f32, oneMinusRho: f32, eps: f32, previousSquareAvg: bool,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd);
    const rhoV = splat<v128>(rho), cV = splat<v128>(oneMinusRho), epsV = splat<v128>(eps);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, adadeltaLane<v128>(p + o, g + o, sq + s, accDelta + s, lrV, gScaleV, wdV, rhoV, cV, epsV, previousSquareAvg, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(sq, i, mode);
      canonicalizeState(accDelta, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    adadeltaLane<f32>(p + o, g + o, sq + s, accDelta + s, lr, gScale, wd, rho, oneMinusRho, eps, previousSquareAvg, mode, key, at);
  }
}

@inline function adadeltaLane<T>(
  p: usize, g: usize, sq: usize, accDelta: usize,
  lr: T, gScale: T, wd: T, rho: T, c: T, eps: T, previousSquareAvg: bool,
  mode: i32, key: u32, at: u32,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const vOld = lds<T>(sq, mode);
  const vi = add<T>(mul<T>(rho, vOld), mul<T>(c, mul<T>(gi, gi)));
  sts<T>(sq, vi, mode, slotKey(key, 0), at);
  const ui = lds<T>(accDelta, mode);
  const std = sqrt<T>(add<T>(previousSquareAvg ? vOld : vi, eps));
  const delta = mul<T>(div<T>(sqrt<T>(add<T>(ui, eps)), std), gi);
  const uNext = add<T>(mul<T>(rho, ui), mul<T>(c, mul<T>(delta, delta)));
  sts<T>(accDelta, uNext, mode, slotKey(key, 1), at);
  const next = sub<T>(pi, mul<T>(lr, delta));
  st<T>(p, next);
  // The watch: the new u never reaches p, nor does the new v when δ uses the previous one.
  return add<T>(add<T>(next, uNext), previousSquareAvg ? vi : splat<T>(0));
}
