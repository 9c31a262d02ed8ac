import { ld, st, splat, add, sub, mul, canonical, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

// The weight-averaging and gradient-accumulation kernels (src/wrappers/): a running average
//   a ← a + (x − a)·w
// with w from the caller in float64 (EMA: 1 − decay; SWA and the accumulated mean: 1/(count + 1)).
// w = 1 is a copy (torch's AveragedModel copies on its first update; a new accumulation cycle starts
// from the first micro-batch): a + (x − a)·1 is not x (−0 becomes +0, ∞ becomes NaN), so it is a
// separate loop. Pointers: 16-byte-aligned byte offsets; any n.

/** a ← x when w = 1, else a ← a + (x − a)·w. */
export function lerpAverage(a: usize, x: usize, n: i32, w: f32): void {
  if (w == 1) copyLoop(a, x, n);
  else lerpLoop(a, x, n, w, a);
}

/**
 * The last micro-batch of a gradient accumulation: s ← g (the raw gradient, bit for bit, kept so a
 * refused inner step can put it back), then g ← a + (g − a)·w (the mean over the cycle; w = 1: g).
 * The accumulator a is left as it was.
 */
export function lerpStash(a: usize, g: usize, s: usize, n: i32, w: f32): void {
  copyBits(s, g, n);
  if (w == 1) copyLoop(g, g, n);
  else lerpLoop(a, g, n, w, g);
}

@inline function copyLoop(a: usize, x: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, canonical<v128>(ld<v128>(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st<f32>(a + o, ld<f32>(x + o));
  }
}

/** out ← a + (x − a)·w (out is a, or the gradient for lerpStash). */
@inline function lerpLoop(a: usize, x: usize, n: i32, w: f32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const wV = splat<v128>(w);
    let seenA = splat<v128>(0), seenB = splat<v128>(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, lerpLane<v128>(a + o, x + o, out + o, wV));
      seenB = watch(seenB, lerpLane<v128>(a + o + 16, x + o + 16, out + o + 16, wV));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, lerpLane<v128>(a + o, x + o, out + o, wV));
    }
    if (sawNaN(seenA, seenB)) canonicalizeNaN(out, i);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    lerpLane<f32>(a + o, x + o, out + o, w);
  }
}

@inline function lerpLane<T>(a: usize, x: usize, out: usize, w: T): T {
  const ai = ld<T>(a);
  const next = add<T>(ai, mul<T>(sub<T>(ld<T>(x), ai), w));
  st<T>(out, next);
  return next;
}

/** dst ← src, bits unchanged (a NaN keeps its payload: the stash must give back exactly what it took). */
@inline function copyBits(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}
