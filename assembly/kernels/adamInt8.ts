import { ld, st, splat, add, sub, mul, div, sqrt, max, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { BLOCK, SIGNED, UNSIGNED, SCRATCH, scalesAt, deq, quantizeBlock, absmax, reduceMax, scaleOf, divisorOf, storeScale, zeroIfPoisoned } from "../ops/int8";

/**
 * adam (assembly/kernels/adam.ts) over block-wise 8-bit state (assembly/ops/int8.ts): m with the
 * signed map, v and vmax with the unsigned one. Runs whole (never split across threads), so blocks
 * are the group slot's 256-element runs from its first element. Each block takes two passes: the
 * first updates p from the unquantized new moments (as bitsandbytes does), keeps the moments in a
 * scratch of 3 × 256 floats in the tables block and takes their absmax (a block's scale must be known
 * before its codes are written); the second quantizes the scratch. So each code is dequantized once
 * (a gather, lane by lane), where recomputing the moments in the second pass would do it twice.
 * `tables`: the heap block of the maps, thresholds, buckets and scratch.
 */
export function adamInt8(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, c1: f32, beta2: f32, c2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool, tables: u32,
): void {
  if (amsgrad) adamInt8Loop(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, true, tables);
  else adamInt8Loop(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, false, tables);
}

@inline function adamInt8Loop(
  p: usize, g: usize, m: usize, v: usize, x: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, b1: f32, c1: f32, b2: f32, c2: f32,
  stepSize: f32, epsHat: f32, amsgrad: bool, tables: u32,
): void {
  const sm = scalesAt(m, n), sv = scalesAt(v, n), sx = scalesAt(x, n);
  const mapM = <usize>tables + SIGNED, mapV = <usize>tables + UNSIGNED;
  const sM = <usize>tables + SCRATCH, sV = sM + (<usize>BLOCK << 2), sX = sV + (<usize>BLOCK << 2);
  for (let start = 0; start < n; start += BLOCK) {
    const len = min(BLOCK, n - start), b = <usize>(start >> 8) << 2;
    const oldM = load<f32>(sm + b), oldV = load<f32>(sv + b), oldX = amsgrad ? load<f32>(sx + b) : 0;
    const P = p + (<usize>start << 2), G = g + (<usize>start << 2), M = m + <usize>start, V = v + <usize>start, X = x + <usize>start;
    // Pass 1: the update, the new moments kept in the scratch, their absmax.
    let am: f32 = 0, av: f32 = 0, ax: f32 = 0, i = 0;
    if (ASC_FEATURE_SIMD) {
      let amV = splat<v128>(0), avV = splat<v128>(0), axV = splat<v128>(0), seen = splat<v128>(0);
      const oldMV = splat<v128>(oldM), oldVV = splat<v128>(oldV), oldXV = splat<v128>(oldX);
      for (; i + 4 <= len; i += 4) {
        const o = <usize>i << 2;
        const pi = ld<v128>(P + o);
        const gi = add<v128>(mul<v128>(splat<v128>(gScale), ld<v128>(G + o)), mul<v128>(splat<v128>(wd), pi));
        const mi = moment<v128>(deq<v128>(M + <usize>i, mapM, oldMV), gi, splat<v128>(b1), splat<v128>(c1));
        let vi = moment<v128>(deq<v128>(V + <usize>i, mapV, oldVV), mul<v128>(gi, gi), splat<v128>(b2), splat<v128>(c2));
        amV = absmax<v128>(amV, mi);
        avV = absmax<v128>(avV, vi);
        v128.store(sM + o, mi);
        v128.store(sV + o, vi);
        if (amsgrad) {
          vi = max<v128>(deq<v128>(X + <usize>i, mapV, oldXV), vi);
          axV = absmax<v128>(axV, vi);
          v128.store(sX + o, vi);
        }
        seen = watch(seen, update<v128>(P + o, pi, mi, vi, splat<v128>(decay), splat<v128>(stepSize), splat<v128>(epsHat)));
      }
      if (sawNaN(seen, splat<v128>(0))) canonicalizeNaN(P, i);
      am = reduceMax(amV, am); av = reduceMax(avV, av); ax = reduceMax(axV, ax);
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      const pi = load<f32>(P + o);
      const gi = gScale * load<f32>(G + o) + wd * pi;
      const mi = moment<f32>(deq<f32>(M + <usize>i, mapM, oldM), gi, b1, c1);
      let vi = moment<f32>(deq<f32>(V + <usize>i, mapV, oldV), gi * gi, b2, c2);
      am = absmax<f32>(am, mi);
      av = absmax<f32>(av, vi);
      store<f32>(sM + o, mi);
      store<f32>(sV + o, vi);
      if (amsgrad) {
        vi = max<f32>(deq<f32>(X + <usize>i, mapV, oldX), vi);
        ax = absmax<f32>(ax, vi);
        store<f32>(sX + o, vi);
      }
      update<f32>(P + o, pi, mi, vi, decay, stepSize, epsHat);
    }
    const newM = scaleOf(am), newV = scaleOf(av), newX = scaleOf(ax);
    // Pass 2: the codes, now that the scales are known.
    quantizeBlock(sM, M, len, divisorOf(newM), mapM);
    quantizeBlock(sV, V, len, divisorOf(newV), mapV);
    if (amsgrad) quantizeBlock(sX, X, len, divisorOf(newX), mapV);
    zeroIfPoisoned(M, len, newM);
    zeroIfPoisoned(V, len, newV);
    if (amsgrad) zeroIfPoisoned(X, len, newX);
    storeScale(sm + b, newM);
    storeScale(sv + b, newV);
    if (amsgrad) storeScale(sx + b, newX);
  }
}

/** p ← decay·p − stepSize·m / (√v + epsHat), stored; returns it (the watch). */
@inline function update<T>(p: usize, pi: T, mi: T, vi: T, decay: T, stepSize: T, epsHat: T): T {
  const next = sub<T>(mul<T>(decay, pi), div<T>(mul<T>(stepSize, mi), add<T>(sqrt<T>(vi), epsHat)));
  st<T>(p, next);
  return next;
}

/** β·old + c·term: m from g', v from g'². */
@inline function moment<T>(old: T, term: T, beta: T, c: T): T {
  return add<T>(mul<T>(beta, old), mul<T>(c, term));
}
