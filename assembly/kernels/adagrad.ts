import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

/**
 * Adagrad, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  s ← s + g'²;  p ← p − (lr·g') / (√(s + epsIn) + epsOut)
 * The caller passes (epsIn, epsOut) = (0, eps) for PyTorch's √s + eps and (eps, 0) for the
 * √(s + eps) of TF.js, Keras 3 and Optax: adding an exact 0 changes no bit, so both conventions
 * share one loop without a branch. lr already carries PyTorch's lr_decay for this step.
 */
export function adagrad(
  p: usize, g: usize, sum: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, epsIn: f32, epsOut: f32,
): void {
  adagradLoop(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut, F32, 0, 0);
}

/** adagrad over bfloat16 state (2 bytes a number; see adamBf16). */
export function adagradBf16(
  p: usize, g: usize, sum: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, epsIn: f32, epsOut: f32,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) adagradLoop(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut, BF16_SR, key, first);
  else adagradLoop(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut, BF16, 0, first);
}

@inline function adagradLoop(
  p: usize, g: usize, sum: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, epsIn: f32, epsOut: f32,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay);
    const epsInV = splat<v128>(epsIn), epsOutV = splat<v128>(epsOut);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, adagradLane<v128>(p + o, g + o, sum + s, lrV, gScaleV, wdV, epsInV, epsOutV, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(sum, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    adagradLane<f32>(p + o, g + o, sum + s, lr, gScale, weightDecay, epsIn, epsOut, mode, key, at);
  }
}

@inline function adagradLane<T>(p: usize, g: usize, sum: usize, lr: T, gScale: T, wd: T, epsIn: T, epsOut: T, mode: i32, key: u32, at: u32): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const si = add<T>(lds<T>(sum, mode), mul<T>(gi, gi));
  sts<T>(sum, si, mode, slotKey(key, 0), at);
  const denom = add<T>(sqrt<T>(add<T>(si, epsIn)), epsOut);
  const next = sub<T>(pi, div<T>(mul<T>(lr, gi), denom));
  st<T>(p, next);
  return next; // the watch: s reaches it through arithmetic
}
