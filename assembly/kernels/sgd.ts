import { ld, st, splat, add, sub, mul, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";

// Pointers are byte offsets of 16-byte-aligned f32 blocks; n may be any length
// (the SIMD body covers n & ~3 elements, the scalar tail the rest).

/** p ← p − lr·(gScale·g + wd·p): SGD without momentum. */
export function sgd(p: usize, g: usize, n: i32, lr: f32, gScale: f32, weightDecay: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(weightDecay);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Two vectors per iteration, each with its own watch sum, so that this short lane does not
    // wait on the previous iteration's add.
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, sgdLane<v128>(p + o, g + o, lrV, gScaleV, wdV));
      seenB = watch(seenB, sgdLane<v128>(p + o + 16, g + o + 16, lrV, gScaleV, wdV));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, sgdLane<v128>(p + o, g + o, lrV, gScaleV, wdV));
    }
    if (sawNaN(seenA, seenB)) canonicalizeNaN(p, i);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    sgdLane<f32>(p + o, g + o, lr, gScale, weightDecay);
  }
}

@inline function sgdLane<T>(p: usize, g: usize, lr: T, gScale: T, wd: T): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const next = sub<T>(pi, mul<T>(lr, gi));
  st<T>(p, next);
  return next;
}

/**
 * SGD with a momentum buffer b:
 *   g' = gScale·g + wd·p;  b ← bufDecay·b + bufGradScale·g';  d = nesterov ? g' + μ·b : b;  p ← p − lr·d.
 * PyTorch's form passes (bufDecay, bufGradScale) = (0, 1) on the first step and (μ, 1 − dampening)
 * after; the EMA form passes (β, 1 − β) on every step.
 */
export function sgdMomentum(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool,
): void {
  sgdMomentumFlags(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov, F32, 0, 0);
}

/** sgdMomentum over bfloat16 state (2 bytes a number; see adamBf16). */
export function sgdMomentumBf16(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) sgdMomentumFlags(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov, BF16_SR, key, first);
  else sgdMomentumFlags(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov, BF16, 0, first);
}

@inline function sgdMomentumFlags(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool,
  mode: i32, key: u32, first: u32,
): void {
  if (nesterov) sgdMomentumLoop(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, true, mode, key, first);
  else sgdMomentumLoop(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, false, mode, key, first);
}

@inline function sgdMomentumLoop(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, gScale: f32, wd: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrV = splat<v128>(lr), gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd);
    const decayV = splat<v128>(bufDecay), bufGradScaleV = splat<v128>(bufGradScale), muV = splat<v128>(mu);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Two vectors per iteration, each with its own watch sum (see sgd).
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), t = stateAt(0, i + 4, mode), at = first + <u32>i;
      seenA = watch(seenA, momentumLane<v128>(p + o, g + o, buf + s, lrV, gScaleV, wdV, decayV, bufGradScaleV, muV, nesterov, mode, key, at));
      seenB = watch(seenB, momentumLane<v128>(p + o + 16, g + o + 16, buf + t, lrV, gScaleV, wdV, decayV, bufGradScaleV, muV, nesterov, mode, key, at + 4));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seenA = watch(seenA, momentumLane<v128>(p + o, g + o, buf + s, lrV, gScaleV, wdV, decayV, bufGradScaleV, muV, nesterov, mode, key, at));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(p, i);
      canonicalizeState(buf, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    momentumLane<f32>(p + o, g + o, buf + s, lr, gScale, wd, bufDecay, bufGradScale, mu, nesterov, mode, key, at);
  }
}

@inline function momentumLane<T>(
  p: usize, g: usize, buf: usize, lr: T, gScale: T, wd: T, bufDecay: T, bufGradScale: T, mu: T, nesterov: bool,
  mode: i32, key: u32, at: u32,
): T {
  const pi = ld<T>(p);
  const gi = add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, pi));
  const bi = add<T>(mul<T>(bufDecay, lds<T>(buf, mode)), mul<T>(bufGradScale, gi));
  sts<T>(buf, bi, mode, slotKey(key, 0), at);
  const d = nesterov ? add<T>(gi, mul<T>(mu, bi)) : bi;
  const next = sub<T>(pi, mul<T>(lr, d));
  st<T>(p, next);
  return next; // the watch: b reaches it through arithmetic
}
