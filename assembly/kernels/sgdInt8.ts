import { ld, st, splat, add, sub, mul, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { BLOCK, SIGNED, scalesAt, deq, quantize, absmax, reduceMax, scaleOf, divisorOf, storeScale, zeroIfPoisoned } from "../ops/int8";

/**
 * sgdMomentum (assembly/kernels/sgd.ts) over block-wise 8-bit state, the buffer with the signed
 * map: per 256-number block, pass 1 takes the new buffer's absmax, pass 2 recomputes it, stores its
 * codes and updates p from the unquantized buffer (see adamInt8). Runs whole.
 */
export function sgdMomentumInt8(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool, tables: u32,
): void {
  if (nesterov) sgdInt8Loop(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, true, tables);
  else sgdInt8Loop(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, false, tables);
}

@inline function sgdInt8Loop(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, wd: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool, tables: u32,
): void {
  const sb = scalesAt(buf, n), map = <usize>tables + SIGNED;
  for (let start = 0; start < n; start += BLOCK) {
    const len = min(BLOCK, n - start), b = <usize>(start >> 8) << 2;
    const old = load<f32>(sb + b);
    const P = p + (<usize>start << 2), G = g + (<usize>start << 2), B = buf + <usize>start;
    let a: f32 = 0, i = 0;
    if (ASC_FEATURE_SIMD) {
      let aV = splat<v128>(0);
      for (; i + 4 <= len; i += 4) {
        const gi = add<v128>(mul<v128>(splat<v128>(gScale), ld<v128>(G + (<usize>i << 2))), mul<v128>(splat<v128>(wd), ld<v128>(P + (<usize>i << 2))));
        aV = absmax<v128>(aV, add<v128>(mul<v128>(splat<v128>(bufDecay), deq<v128>(B + <usize>i, map, splat<v128>(old))), mul<v128>(splat<v128>(bufGradScale), gi)));
      }
      a = reduceMax(aV, a);
    }
    for (; i < len; i++) {
      const gi = gScale * load<f32>(G + (<usize>i << 2)) + wd * load<f32>(P + (<usize>i << 2));
      a = absmax<f32>(a, bufDecay * deq<f32>(B + <usize>i, map, old) + bufGradScale * gi);
    }
    const scale = scaleOf(a), d = divisorOf(scale);
    i = 0;
    if (ASC_FEATURE_SIMD) {
      let seen = splat<v128>(0);
      for (; i + 4 <= len; i += 4) {
        seen = watch(seen, sgdInt8Lane<v128>(P + (<usize>i << 2), G + (<usize>i << 2), B + <usize>i, map, splat<v128>(old), splat<v128>(d),
          splat<v128>(lr), splat<v128>(gScale), splat<v128>(wd), splat<v128>(bufDecay), splat<v128>(bufGradScale), splat<v128>(mu), nesterov));
      }
      if (sawNaN(seen, splat<v128>(0))) canonicalizeNaN(P, i);
    }
    for (; i < len; i++) {
      sgdInt8Lane<f32>(P + (<usize>i << 2), G + (<usize>i << 2), B + <usize>i, map, old, d, lr, gScale, wd, bufDecay, bufGradScale, mu, nesterov);
    }
    zeroIfPoisoned(B, len, scale);
    storeScale(sb + b, scale);
  }
}

@inline function sgdInt8Lane<T>(
  p: usize, g: usize, buf: usize, map: usize, old: T, divisor: T,
  lr: T, gScale: T, wd: T, bufDecay: T, bufGradScale: T, mu: T, nesterov: bool,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const bi = add<T>(mul<T>(bufDecay, deq<T>(buf, map, old)), mul<T>(bufGradScale, gi));
  quantize<T>(buf, bi, divisor, map);
  const d = nesterov ? add<T>(gi, mul<T>(mu, bi)) : bi;
  const next = sub<T>(pi, mul<T>(lr, d));
  st<T>(p, next);
  return next;
}
