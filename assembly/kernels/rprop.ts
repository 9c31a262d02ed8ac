import { ld, st, splat, add, sub, mul, max, min, whereGt, whereLt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

/**
 * Rprop as torch.optim.Rprop, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g;  s = g'·prev
 *   step ← clamp(step·(s > 0 ? η+ : s < 0 ? η− : 1), stepMin, stepMax)
 *   g' ← 0 where s < 0 (skip the update after a sign change);  p ← p − sign(g')·step;  prev ← g'
 * Selects are branch-free bit masks in the SIMD body and the same comparisons in the tail.
 */
export function rprop(
  p: usize, g: usize, prev: usize, stepSize: usize, n: i32,
  gScale: f32, etaMinus: f32, etaPlus: f32, stepSizeMin: f32, stepSizeMax: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), etaMinusV = splat<v128>(etaMinus), etaPlusV = splat<v128>(etaPlus);
    const minV = splat<v128>(stepSizeMin), maxV = splat<v128>(stepSizeMax);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, rpropLane<v128>(p + o, g + o, prev + o, stepSize + o, gScaleV, etaMinusV, etaPlusV, minV, maxV));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(prev, i);
      canonicalizeNaN(stepSize, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    rpropLane<f32>(p + o, g + o, prev + o, stepSize + o, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
  }
}

@inline function rpropLane<T>(
  p: usize, g: usize, prev: usize, stepSize: usize,
  gScale: T, etaMinus: T, etaPlus: T, stepMin: T, stepMax: T,
): T {
  const zero = splat<T>(0), one = splat<T>(1);
  let gi = mul<T>(gScale, ld<T>(g));
  const s = mul<T>(gi, ld<T>(prev));
  const factor = whereGt<T>(s, zero, etaPlus, whereLt<T>(s, zero, etaMinus, one));
  const step = min<T>(max<T>(mul<T>(ld<T>(stepSize), factor), stepMin), stepMax);
  gi = whereLt<T>(s, zero, zero, gi);
  st<T>(stepSize, step);
  st<T>(prev, gi);
  const move = whereGt<T>(gi, zero, step, whereLt<T>(gi, zero, sub<T>(zero, step), zero));
  const next = sub<T>(ld<T>(p), move);
  st<T>(p, next);
  return add<T>(add<T>(next, step), gi); // the watch: selects do not carry a NaN into p
}
