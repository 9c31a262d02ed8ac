import { ld, st, splat, add, sub, mul, div, sqrt, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { ema, scaledGrad } from "../ops/moments";
import { F32 } from "../ops/storage";

// Schedule-free SGD and AdamW (Defazio et al., 2024), as facebookresearch/schedulefree's
// SGDScheduleFree and AdamWScheduleFree. The parameters hold y, the point gradients are taken at;
// z is the base sequence. One step, with the gradient direction d:
//   y ← lerp(y, z, c);  y ← y + yCoef·d;  z ← z − lr·d
// lerp is torch's: y + w·(z − y) while |w| < 0.5, else z − (z − y)·(1 − w). The caller picks the form
// (`fromZ`) and passes lerpCoef = w or −(1 − w): z + (−(1 − w))·(z − y) has the same bits.
// `fresh`: the first step, where z starts as a copy of y (the reference clones the parameter).

/** Schedule-free SGD: d = gScale·g + wd·y. Pointers: 16-byte-aligned byte offsets; any n. */
export function scheduleFreeSgd(
  p: usize, g: usize, z: usize, n: i32,
  gScale: f32, weightDecay: f32, lerpCoef: f32, yCoef: f32, lr: f32, fromZ: bool, fresh: bool,
): void {
  if (fresh) {
    if (fromZ) sgdLoop(p, g, z, n, gScale, weightDecay, lerpCoef, yCoef, lr, true, true);
    else sgdLoop(p, g, z, n, gScale, weightDecay, lerpCoef, yCoef, lr, false, true);
  } else if (fromZ) sgdLoop(p, g, z, n, gScale, weightDecay, lerpCoef, yCoef, lr, true, false);
  else sgdLoop(p, g, z, n, gScale, weightDecay, lerpCoef, yCoef, lr, false, false);
}

@inline function sgdLoop(
  p: usize, g: usize, z: usize, n: i32,
  gScale: f32, wd: f32, lerpCoef: f32, yCoef: f32, lr: f32, fromZ: bool, fresh: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), lerpV = splat<v128>(lerpCoef), yCoefV = splat<v128>(yCoef), lrV = splat<v128>(lr);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const y = ld<v128>(p + o);
      const d = scaledGrad<v128>(g + o, y, gScaleV, wdV);
      seen = watch(seen, step<v128>(p + o, z + o, y, d, lerpV, yCoefV, lrV, fromZ, fresh));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(z, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const y = ld<f32>(p + o);
    step<f32>(p + o, z + o, y, scaledGrad<f32>(g + o, y, gScale, wd), lerpCoef, yCoef, lr, fromZ, fresh);
  }
}

/**
 * Schedule-free AdamW: v ← β2·v + (1−β2)·g'², d = bcScale·g' / (√v + epsHat) + wd·y with g' = gScale·g,
 * bcScale = √(1 − β2ᵗ) and epsHat = eps·bcScale: the reference's g'/(√(v/(1 − β2ᵗ)) + eps), one division.
 */
export function scheduleFreeAdamW(
  p: usize, g: usize, z: usize, v: usize, n: i32,
  gScale: f32, weightDecay: f32, beta2: f32, oneMinusBeta2: f32, bcScale: f32, epsHat: f32,
  lerpCoef: f32, yCoef: f32, lr: f32, fromZ: bool, fresh: bool,
): void {
  if (fresh) {
    if (fromZ) adamWLoop(p, g, z, v, n, gScale, weightDecay, beta2, oneMinusBeta2, bcScale, epsHat, lerpCoef, yCoef, lr, true, true);
    else adamWLoop(p, g, z, v, n, gScale, weightDecay, beta2, oneMinusBeta2, bcScale, epsHat, lerpCoef, yCoef, lr, false, true);
  } else if (fromZ) adamWLoop(p, g, z, v, n, gScale, weightDecay, beta2, oneMinusBeta2, bcScale, epsHat, lerpCoef, yCoef, lr, true, false);
  else adamWLoop(p, g, z, v, n, gScale, weightDecay, beta2, oneMinusBeta2, bcScale, epsHat, lerpCoef, yCoef, lr, false, false);
}

@inline function adamWLoop(
  p: usize, g: usize, z: usize, v: usize, n: i32,
  gScale: f32, wd: f32, beta2: f32, oneMinusBeta2: f32, bcScale: f32, epsHat: f32,
  lerpCoef: f32, yCoef: f32, lr: f32, fromZ: bool, fresh: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), wdV = splat<v128>(wd), b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusBeta2);
    const bcV = splat<v128>(bcScale), epsV = splat<v128>(epsHat);
    const lerpV = splat<v128>(lerpCoef), yCoefV = splat<v128>(yCoef), lrV = splat<v128>(lr);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const y = ld<v128>(p + o);
      const d = adamDirection<v128>(g + o, v + o, y, gScaleV, wdV, b2V, c2V, bcV, epsV);
      seen = watch(seen, step<v128>(p + o, z + o, y, d, lerpV, yCoefV, lrV, fromZ, fresh));
    }
    if (sawNaN(seen, seen)) {
      canonicalizeNaN(p, i);
      canonicalizeNaN(z, i);
      canonicalizeNaN(v, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const y = ld<f32>(p + o);
    const d = adamDirection<f32>(g + o, v + o, y, gScale, wd, beta2, oneMinusBeta2, bcScale, epsHat);
    step<f32>(p + o, z + o, y, d, lerpCoef, yCoef, lr, fromZ, fresh);
  }
}

/** The normalized gradient plus weight decay at y; updates v. v reaches the result through the division. */
@inline function adamDirection<T>(g: usize, v: usize, y: T, gScale: T, wd: T, beta2: T, oneMinusBeta2: T, bcScale: T, epsHat: T): T {
  const gi = mul<T>(gScale, ld<T>(g));
  const vi = ema<T>(v, beta2, oneMinusBeta2, mul<T>(gi, gi), F32, 0, 0);
  return add<T>(div<T>(mul<T>(bcScale, gi), add<T>(sqrt<T>(vi), epsHat)), mul<T>(wd, y));
}

/** The y and z updates shared by both families; returns a watch value that is NaN wherever a store is. */
@inline function step<T>(p: usize, z: usize, y: T, d: T, lerpCoef: T, yCoef: T, lr: T, fromZ: bool, fresh: bool): T {
  const zi = fresh ? y : ld<T>(z);
  const pulled = add<T>(fromZ ? zi : y, mul<T>(lerpCoef, sub<T>(zi, y)));
  const nextY = add<T>(pulled, mul<T>(yCoef, d));
  const nextZ = sub<T>(zi, mul<T>(lr, d));
  st<T>(p, nextY);
  st<T>(z, nextZ);
  return add<T>(nextY, nextZ);
}

/**
 * torch's lerp_ with a scalar weight w, in place: p ← p + w·(z − p), or z − (z − p)·(1 − w) when
 * |w| ≥ 0.5 (`fromZ`, coef = −(1 − w)). Moves schedule-free parameters between y and x.
 */
export function lerp(p: usize, z: usize, n: i32, coef: f32, fromZ: bool): void {
  if (fromZ) lerpLoop(p, z, n, coef, true);
  else lerpLoop(p, z, n, coef, false);
}

@inline function lerpLoop(p: usize, z: usize, n: i32, coef: f32, fromZ: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const coefV = splat<v128>(coef);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, lerpLane<v128>(p + o, z + o, coefV, fromZ));
    }
    if (sawNaN(seen, seen)) canonicalizeNaN(p, i);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    lerpLane<f32>(p + o, z + o, coef, fromZ);
  }
}

@inline function lerpLane<T>(p: usize, z: usize, coef: T, fromZ: bool): T {
  const pi = ld<T>(p), zi = ld<T>(z);
  const next = add<T>(fromZ ? zi : pi, mul<T>(coef, sub<T>(zi, pi)));
  st<T>(p, next);
  return next;
}
