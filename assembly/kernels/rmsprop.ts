import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

/**
 * RMSprop, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g + wd·p;  v ← α·v + (1−α)·g'²;  (centered) a ← α·a + (1−α)·g', var = v − a²
 *   d = √(var + epsIn) + epsOut
 *   momentum: b ← μ·b + g'/d, p ← p − lr·b;   else p ← p − (lr·g')/d
 * (epsIn, epsOut) = (0, eps) is PyTorch's eps outside the root, (eps, 0) TF.js/Keras/Optax's inside.
 * The momentum and centered buffers are only touched when used (their pointers may be 0).
 */
export function rmsprop(
  p: usize, g: usize, sq: usize, buf: usize, gAvg: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, momentum: f32,
  epsIn: f32, epsOut: f32, useMomentum: bool, centered: bool,
): void {
  rmspropFlags(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, useMomentum, centered, F32, 0, 0);
}

/** rmsprop over bfloat16 state (2 bytes a number; see adamBf16). */
export function rmspropBf16(
  p: usize, g: usize, sq: usize, buf: usize, gAvg: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, momentum: f32,
  epsIn: f32, epsOut: f32, useMomentum: bool, centered: bool,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) rmspropFlags(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, useMomentum, centered, BF16_SR, key, first);
  else rmspropFlags(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, useMomentum, centered, BF16, 0, first);
}

@inline function rmspropFlags(
  p: usize, g: usize, sq: usize, buf: usize, gAvg: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, momentum: f32,
  epsIn: f32, epsOut: f32, useMomentum: bool, centered: bool,
  mode: i32, key: u32, first: u32,
): void {
  // Each flag combination gets its own loop, so no per-element branch survives.
  if (useMomentum) {
    if (centered) rmspropLoop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, true, true, mode, key, first);
    else rmspropLoop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, true, false, mode, key, first);
  } else {
    if (centered) rmspropLoop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, false, true, mode, key, first);
    else rmspropLoop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, oneMinusAlpha, momentum, epsIn, epsOut, false, false, mode, key, first);
  }
}

@inline function rmspropLoop(
  p: usize, g: usize, sq: usize, buf: usize, gAvg: usize, n: i32,
  lr: f32, gScale: f32, wd: f32, alpha: f32, oneMinusAlpha: f32, mu: f32, epsIn: f32, epsOut: f32,
  useMomentum: bool, centered: bool,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd);
    const alphaV = splat<v128>(alpha), cV = splat<v128>(oneMinusAlpha), muV = splat<v128>(mu);
    const epsInV = splat<v128>(epsIn), epsOutV = splat<v128>(epsOut);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seen = watch(seen, rmspropLane<v128>(p + o, g + o, sq + s, buf + s, gAvg + s, lrV, gScaleV, wdV, alphaV, cV, muV, epsInV, epsOutV, useMomentum, centered, mode, key, at));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeState(sq, i, mode);
      if (useMomentum) canonicalizeState(buf, i, mode);
      if (centered) canonicalizeState(gAvg, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    rmspropLane<f32>(p + o, g + o, sq + s, buf + s, gAvg + s, lr, gScale, wd, alpha, oneMinusAlpha, mu, epsIn, epsOut, useMomentum, centered, mode, key, at);
  }
}

@inline function rmspropLane<T>(
  p: usize, g: usize, sq: usize, buf: usize, gAvg: usize,
  lr: T, gScale: T, wd: T, alpha: T, c: T, mu: T, epsIn: T, epsOut: T, useMomentum: bool, centered: bool,
  mode: i32, key: u32, at: u32,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const vi = add<T>(mul<T>(alpha, lds<T>(sq, mode)), mul<T>(c, mul<T>(gi, gi)));
  sts<T>(sq, vi, mode, slotKey(key, 0), at);
  let variance = vi;
  if (centered) {
    const ai = add<T>(mul<T>(alpha, lds<T>(gAvg, mode)), mul<T>(c, gi));
    sts<T>(gAvg, ai, mode, slotKey(key, 2), at);
    variance = sub<T>(vi, mul<T>(ai, ai));
  }
  const denom = add<T>(sqrt<T>(add<T>(variance, epsIn)), epsOut);
  let next: T;
  if (useMomentum) {
    const bi = add<T>(mul<T>(mu, lds<T>(buf, mode)), div<T>(gi, denom));
    sts<T>(buf, bi, mode, slotKey(key, 1), at);
    next = sub<T>(pi, mul<T>(lr, bi));
  } else {
    next = sub<T>(pi, div<T>(mul<T>(lr, gi), denom));
  }
  st<T>(p, next);
  return next; // the watch: v, a and b all reach it through arithmetic
}
