import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

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
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay);
    const epsInV = splat<v128>(epsIn), epsOutV = splat<v128>(epsOut);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, adagradLane<v128>(p + o, g + o, sum + o, lrV, gScaleV, wdV, epsInV, epsOutV));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(sum, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    adagradLane<f32>(p + o, g + o, sum + o, lr, gScale, weightDecay, epsIn, epsOut);
  }
}

@inline function adagradLane<T>(p: usize, g: usize, sum: usize, lr: T, gScale: T, wd: T, epsIn: T, epsOut: T): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const si = add<T>(ld<T>(sum), mul<T>(gi, gi));
  st<T>(sum, si);
  const denom = add<T>(sqrt<T>(add<T>(si, epsIn)), epsOut);
  const next = sub<T>(pi, div<T>(mul<T>(lr, gi), denom));
  st<T>(p, next);
  return next; // the watch: s reaches it through arithmetic
}
