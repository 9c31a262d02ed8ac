import { ld, st, splat, add, sub, mul, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

/**
 * Lookahead's synchronisation (Zhang et al. 2019, Algorithm 1), one fused pass:
 *   s ← s + α·(f − s);  f ← s
 * s: the slow weights, f: the fast weights (the parameters). Pointers: 16-byte-aligned byte offsets; any n.
 */
export function lookahead(s: usize, f: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const alphaV = splat<v128>(alpha);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, lookaheadLane<v128>(s + o, f + o, alphaV));
      seenB = watch(seenB, lookaheadLane<v128>(s + o + 16, f + o + 16, alphaV));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, lookaheadLane<v128>(s + o, f + o, alphaV));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(s, i);
      canonicalizeNaN(f, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    lookaheadLane<f32>(s + o, f + o, alpha);
  }
}

@inline function lookaheadLane<T>(s: usize, f: usize, alpha: T): T {
  const si = ld<T>(s);
  const next = add<T>(si, mul<T>(alpha, sub<T>(ld<T>(f), si)));
  st<T>(s, next);
  st<T>(f, next);
  return next;
}
