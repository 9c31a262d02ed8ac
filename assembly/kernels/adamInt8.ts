import { ld, st, splat, add, sub, mul, div, sqrt, max, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { BLOCK, SIGNED, UNSIGNED, scalesAt, deq, quantize, absmax, reduceMax, scaleOf, divisorOf, storeScale, zeroIfPoisoned } from "../ops/int8";

/**
 * adam (assembly/kernels/adam.ts) over block-wise 8-bit state (assembly/ops/int8.ts): m with the
 * signed map, v and vmax with the unsigned one. Runs whole (never split across threads), so blocks
 * are the group slot's 256-element runs from its first element. Each block takes two passes: the
 * first computes the new moments only for their absmax (a block's scale must be known before its
 * codes are written, and keeping 3 × 256 floats aside would need scratch memory); the second
 * recomputes them identically, updates p from the unquantized new moments (as bitsandbytes does),
 * and stores codes and scales. `tables`: the heap block of the maps and thresholds.
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
  for (let start = 0; start < n; start += BLOCK) {
    const len = min(BLOCK, n - start), b = <usize>(start >> 8) << 2;
    const oldM = load<f32>(sm + b), oldV = load<f32>(sv + b), oldX = amsgrad ? load<f32>(sx + b) : 0;
    const P = p + (<usize>start << 2), G = g + (<usize>start << 2), M = m + <usize>start, V = v + <usize>start, X = x + <usize>start;
    // Pass 1: the new moments' absmax.
    let am: f32 = 0, av: f32 = 0, ax: f32 = 0, i = 0;
    if (ASC_FEATURE_SIMD) {
      let amV = splat<v128>(0), avV = splat<v128>(0), axV = splat<v128>(0);
      const oldMV = splat<v128>(oldM), oldVV = splat<v128>(oldV), oldXV = splat<v128>(oldX);
      for (; i + 4 <= len; i += 4) {
        const gi = grad<v128>(P + (<usize>i << 2), G + (<usize>i << 2), splat<v128>(gScale), splat<v128>(wd));
        amV = absmax<v128>(amV, moment<v128>(deq<v128>(M + <usize>i, mapM, oldMV), gi, splat<v128>(b1), splat<v128>(c1)));
        const vi = moment<v128>(deq<v128>(V + <usize>i, mapV, oldVV), mul<v128>(gi, gi), splat<v128>(b2), splat<v128>(c2));
        avV = absmax<v128>(avV, vi);
        if (amsgrad) axV = absmax<v128>(axV, max<v128>(deq<v128>(X + <usize>i, mapV, oldXV), vi));
      }
      am = reduceMax(amV, am); av = reduceMax(avV, av); ax = reduceMax(axV, ax);
    }
    for (; i < len; i++) {
      const gi = grad<f32>(P + (<usize>i << 2), G + (<usize>i << 2), gScale, wd);
      am = absmax<f32>(am, moment<f32>(deq<f32>(M + <usize>i, mapM, oldM), gi, b1, c1));
      const vi = moment<f32>(deq<f32>(V + <usize>i, mapV, oldV), gi * gi, b2, c2);
      av = absmax<f32>(av, vi);
      if (amsgrad) ax = absmax<f32>(ax, max<f32>(deq<f32>(X + <usize>i, mapV, oldX), vi));
    }
    const newM = scaleOf(am), newV = scaleOf(av), newX = scaleOf(ax);
    const dm = divisorOf(newM), dv = divisorOf(newV), dx = divisorOf(newX);
    // Pass 2: the same moments again, stored as codes; p updated.
    i = 0;
    if (ASC_FEATURE_SIMD) {
      let seen = splat<v128>(0);
      for (; i + 4 <= len; i += 4) {
        seen = watch(seen, adamInt8Lane<v128>(P + (<usize>i << 2), G + (<usize>i << 2), M + <usize>i, V + <usize>i, X + <usize>i, mapM, mapV,
          splat<v128>(oldM), splat<v128>(oldV), splat<v128>(oldX), splat<v128>(dm), splat<v128>(dv), splat<v128>(dx),
          splat<v128>(gScale), splat<v128>(wd), splat<v128>(decay), splat<v128>(b1), splat<v128>(c1), splat<v128>(b2), splat<v128>(c2),
          splat<v128>(stepSize), splat<v128>(epsHat), amsgrad));
      }
      if (sawNaN(seen, splat<v128>(0))) canonicalizeNaN(P, i);
    }
    for (; i < len; i++) {
      adamInt8Lane<f32>(P + (<usize>i << 2), G + (<usize>i << 2), M + <usize>i, V + <usize>i, X + <usize>i, mapM, mapV,
        oldM, oldV, oldX, dm, dv, dx, gScale, wd, decay, b1, c1, b2, c2, stepSize, epsHat, amsgrad);
    }
    zeroIfPoisoned(M, len, newM);
    zeroIfPoisoned(V, len, newV);
    if (amsgrad) zeroIfPoisoned(X, len, newX);
    storeScale(sm + b, newM);
    storeScale(sv + b, newV);
    if (amsgrad) storeScale(sx + b, newX);
  }
}

/** g' = gScale·g + wd·p (adam's order). */
@inline function grad<T>(p: usize, g: usize, gScale: T, wd: T): T {
  return add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, ld<T>(p)));
}

/** β·old + c·term: m from g', v from g'². */
@inline function moment<T>(old: T, term: T, beta: T, c: T): T {
  return add<T>(mul<T>(beta, old), mul<T>(c, term));
}

@inline function adamInt8Lane<T>(
  p: usize, g: usize, m: usize, v: usize, x: usize, mapM: usize, mapV: usize,
  oldM: T, oldV: T, oldX: T, dm: T, dv: T, dx: T,
  gScale: T, wd: T, decay: T, b1: T, c1: T, b2: T, c2: T, stepSize: T, epsHat: T, amsgrad: bool,
): T {
  const pi = ld<T>(p);
  const gi = grad<T>(p, g, gScale, wd);
  const mi = moment<T>(deq<T>(m, mapM, oldM), gi, b1, c1);
  let vi = moment<T>(deq<T>(v, mapV, oldV), mul<T>(gi, gi), b2, c2);
  // Every code of the lane is read (in deq) before any is written.
  quantize<T>(m, mi, dm, mapM);
  quantize<T>(v, vi, dv, mapV);
  if (amsgrad) {
    vi = max<T>(deq<T>(x, mapV, oldX), vi);
    quantize<T>(x, vi, dx, mapV);
  }
  const next = sub<T>(mul<T>(decay, pi), div<T>(mul<T>(stepSize, mi), add<T>(sqrt<T>(vi), epsHat)));
  st<T>(p, next);
  return next;
}
