import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

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
  if (previousSquareAvg) adadeltaLoop(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, true);
  else adadeltaLoop(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, oneMinusRho, eps, false);
}

@inline function adadeltaLoop(
  p: usize, g: usize, sq: usize, accDelta: usize, n: i32,
  lr: f32, gScale: f32, wd: f32, rho: f32, oneMinusRho: f32, eps: f32, previousSquareAvg: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd);
    const rhoV = splat<v128>(rho), cV = splat<v128>(oneMinusRho), epsV = splat<v128>(eps);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, adadeltaLane<v128>(p + o, g + o, sq + o, accDelta + o, lrV, gScaleV, wdV, rhoV, cV, epsV, previousSquareAvg));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(sq, i);
      canonicalizeNaN(accDelta, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    adadeltaLane<f32>(p + o, g + o, sq + o, accDelta + o, lr, gScale, wd, rho, oneMinusRho, eps, previousSquareAvg);
  }
}

@inline function adadeltaLane<T>(
  p: usize, g: usize, sq: usize, accDelta: usize,
  lr: T, gScale: T, wd: T, rho: T, c: T, eps: T, previousSquareAvg: bool,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const vOld = ld<T>(sq);
  const vi = add<T>(mul<T>(rho, vOld), mul<T>(c, mul<T>(gi, gi)));
  st<T>(sq, vi);
  const ui = ld<T>(accDelta);
  const std = sqrt<T>(add<T>(previousSquareAvg ? vOld : vi, eps));
  const delta = mul<T>(div<T>(sqrt<T>(add<T>(ui, eps)), std), gi);
  const uNext = add<T>(mul<T>(rho, ui), mul<T>(c, mul<T>(delta, delta)));
  st<T>(accDelta, uNext);
  const next = sub<T>(pi, mul<T>(lr, delta));
  st<T>(p, next);
  // The watch: the new u never reaches p, nor does the new v when δ uses the previous one.
  return add<T>(add<T>(next, uNext), previousSquareAvg ? vi : splat<T>(0));
}
