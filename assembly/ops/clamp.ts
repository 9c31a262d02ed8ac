import { ld, st, splat, max, canonical } from "./lane";

/**
 * x ← min(max(x, lo), hi) over n floats at ptr: clipGradValue. NaN stays NaN (as torch.clamp);
 * wasm's min/max and Math.min/max propagate it alike. Any alignment.
 */
export function clamp(ptr: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const loV = splat<v128>(lo), hiV = splat<v128>(hi);
    for (; i + 4 <= n; i += 4) {
      const p = ptr + (<usize>i << 2);
      // Made canonical per store: a watch (see lane.ts, st) would add a latency chain to this short loop.
      v128.store(p, canonical<v128>(f32x4.min(max<v128>(ld<v128>(p), loV), hiV)));
    }
  }
  for (; i < n; i++) {
    const p = ptr + (<usize>i << 2);
    st<f32>(p, Mathf.min(max<f32>(ld<f32>(p), lo), hi));
  }
}
