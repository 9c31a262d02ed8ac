import { ld, st, splat, add, sub, mul, sign, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { F32, BF16, BF16_SR, stateAt, lds, sts, canonicalizeState, slotKey } from "../ops/storage";
import { ema } from "../ops/moments";

/**
 * Lion, one fused pass (pointers: 16-byte-aligned byte offsets; any n):
 *   g' = gScale·g;  p ← decay·p − lr·sign(β1·m + (1−β1)·g');  m ← β2·m + (1−β2)·g'
 * decay = 1 − lr·weightDecay (decoupled weight decay) comes from the caller.
 */
export function lion(
  p: usize, g: usize, m: usize, n: i32,
  gScale: f32, decay: f32, lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
): void {
  lionLoop(p, g, m, n, gScale, decay, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, F32, 0, 0);
}

/** lion over bfloat16 state (2 bytes a number; see adamBf16). */
export function lionBf16(
  p: usize, g: usize, m: usize, n: i32,
  gScale: f32, decay: f32, lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  stochastic: bool, key: u32, origin: u32,
): void {
  const first = <u32>(p - origin) >> 2;
  if (stochastic) lionLoop(p, g, m, n, gScale, decay, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, BF16_SR, key, first);
  else lionLoop(p, g, m, n, gScale, decay, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, BF16, 0, first);
}

@inline function lionLoop(
  p: usize, g: usize, m: usize, n: i32,
  gScale: f32, decay: f32, lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  mode: i32, key: u32, first: u32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), decayV = splat<v128>(decay), lrV = splat<v128>(lr);
    const b1V = splat<v128>(beta1), c1V = splat<v128>(oneMinusBeta1);
    const b2V = splat<v128>(beta2), c2V = splat<v128>(oneMinusBeta2);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    // Two vectors per iteration, each with its own watch sum (see sgd).
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), t = stateAt(0, i + 4, mode), at = first + <u32>i;
      seenA = watch(seenA, lionLane<v128>(p + o, g + o, m + s, gScaleV, decayV, lrV, b1V, c1V, b2V, c2V, mode, key, at));
      seenB = watch(seenB, lionLane<v128>(p + o + 16, g + o + 16, m + t, gScaleV, decayV, lrV, b1V, c1V, b2V, c2V, mode, key, at + 4));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
      seenA = watch(seenA, lionLane<v128>(p + o, g + o, m + s, gScaleV, decayV, lrV, b1V, c1V, b2V, c2V, mode, key, at));
    }
    if (sawNaN(seenA, seenB)) {
      canonicalizeNaN(p, i);
      canonicalizeState(m, i, mode);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, s = stateAt(0, i, mode), at = first + <u32>i;
    lionLane<f32>(p + o, g + o, m + s, gScale, decay, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, mode, key, at);
  }
}

@inline function lionLane<T>(p: usize, g: usize, m: usize, gScale: T, decay: T, lr: T, b1: T, c1: T, b2: T, c2: T, mode: i32, key: u32, at: u32): T {
  const gi = mul<T>(gScale, ld<T>(g));
  const direction = sign<T>(add<T>(mul<T>(b1, lds<T>(m, mode)), mul<T>(c1, gi)));
  const next = sub<T>(mul<T>(decay, ld<T>(p)), mul<T>(lr, direction));
  st<T>(p, next);
  return add<T>(next, ema<T>(m, b2, c2, gi, mode, slotKey(key, 0), at)); // the watch: the new m does not reach p
}
