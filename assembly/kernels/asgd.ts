import { ld, st, splat, add, sub, mul, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { scaledGrad } from "../ops/moments";

/**
 * ASGD (torch.optim.ASGD's single-tensor order), one fused pass (pointers: 16-byte-aligned byte
 * offsets; any n):
 *   g' = gScale·g + wd·p;  p ← decay·p − η·g';  ax ← average ? ax + (p − ax)·μ : p
 * decay = 1 − λ·η, η and μ are the group's values before this step's update (computed by the caller).
 * torch copies p into ax while μ = 1 (average false): the copy is exact, the formula would not be.
 */
export function asgd(p: usize, g: usize, ax: usize, n: i32, gScale: f32, weightDecay: f32, decay: f32, eta: f32, mu: f32, average: bool): void {
  if (average) asgdLoop(p, g, ax, n, gScale, weightDecay, decay, eta, mu, false);
  else asgdLoop(p, g, ax, n, gScale, weightDecay, decay, eta, mu, true);
}

@inline function asgdLoop(p: usize, g: usize, ax: usize, n: i32, gScale: f32, wd: f32, decay: f32, eta: f32, mu: f32, copy: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), decayV = splat<v128>(decay);
    const etaV = splat<v128>(eta), muV = splat<v128>(mu);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Two vectors per iteration, each with its own watch sum (see sgd).
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, asgdLane<v128>(p + o, g + o, ax + o, gScaleV, wdV, decayV, etaV, muV, copy));
      seenB = watch(seenB, asgdLane<v128>(p + o + 16, g + o + 16, ax + o + 16, gScaleV, wdV, decayV, etaV, muV, copy));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, asgdLane<v128>(p + o, g + o, ax + o, gScaleV, wdV, decayV, etaV, muV, copy));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(ax, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    asgdLane<f32>(p + o, g + o, ax + o, gScale, wd, decay, eta, mu, copy);
  }
}

@inline function asgdLane<T>(p: usize, g: usize, ax: usize, gScale: T, wd: T, decay: T, eta: T, mu: T, copy: bool): T {
  const pi = ld<T>(p);
  const gi = scaledGrad<T>(g, pi, gScale, wd);
  const next = sub<T>(mul<T>(decay, pi), mul<T>(eta, gi));
  st<T>(p, next);
  if (copy) {
    st<T>(ax, next);
    return next;
  }
  const a = ld<T>(ax);
  const average = add<T>(a, mul<T>(sub<T>(next, a), mu));
  st<T>(ax, average);
  return add<T>(next, average); // the watch: an old NaN in ax does not reach p
}
