import { ld, st, splat, add, sub, mul, max, min, whereGt, whereLt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

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
  rpropLoop(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, F32, 0, 0);
}

/** rprop over bfloat16 state (2 bytes a number; see adamBf16). */
export function rpropBf16(
  p: usize, g: usize, prev: usize, stepSize: usize, n: i32,
  gScale: f32, etaMinus: f32, etaPlus: f32, stepSizeMin: f32, stepSizeMax: f32,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) rpropLoop(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, BF16_SR, key, first);
  else rpropLoop(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, BF16, 0, first);
}

@inline function rpropLoop(
  p: usize, g: usize, prev: usize, stepSize: usize, n: i32,
  gScale: f32, etaMinus: f32, etaPlus: f32, stepSizeMin: f32, stepSizeMax: f32,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), etaMinusV = splat<v128>(etaMinus), etaPlusV = splat<v128>(etaPlus);
    const minV = splat<v128>(stepSizeMin), maxV = splat<v128>(stepSizeMax);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, rpropLane<v128>(p + o, g + o, prev + s, stepSize + s, gScaleV, etaMinusV, etaPlusV, minV, maxV, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(prev, i, mode);
      canonicalizeState(stepSize, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    rpropLane<f32>(p + o, g + o, prev + s, stepSize + s, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, mode, key, at);
  }
}

@inline function rpropLane<T>(
  p: usize, g: usize, prev: usize, stepSize: usize,
  gScale: T, etaMinus: T, etaPlus: T, stepMin: T, stepMax: T,
  mode: i32, key: u32, at: u32,
): T {
  const zero = splat<T>(0), one = splat<T>(1);
  let gi = mul<T>(gScale, ld<T>(g));
  const s = mul<T>(gi, lds<T>(prev, mode));
  const factor = whereGt<T>(s, zero, etaPlus, whereLt<T>(s, zero, etaMinus, one));
  const step = min<T>(max<T>(mul<T>(lds<T>(stepSize, mode), factor), stepMin), stepMax);
  gi = whereLt<T>(s, zero, zero, gi);
  sts<T>(stepSize, step, mode, slotKey(key, 1), at);
  sts<T>(prev, gi, mode, slotKey(key, 0), at);
  const move = whereGt<T>(gi, zero, step, whereLt<T>(gi, zero, sub<T>(zero, step), zero));
  const next = sub<T>(ld<T>(p), move);
  st<T>(p, next);
  return add<T>(add<T>(next, step), gi); // the watch: selects do not carry a NaN into p
}
