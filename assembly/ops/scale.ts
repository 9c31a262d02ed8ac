import { ld, st, splat, mul, canonical } from "./lane";

/** x ← factor·x over n floats at ptr (float32 multiply): clipGradNorm's rescaling. Any alignment. */
export function scale(ptr: usize, n: i32, factor: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const factorV = splat<v128>(factor);
    for (; i + 4 <= n; i += 4) {
      const p = ptr + (<usize>i << 2);
      // Made canonical per store: a watch (see lane.ts, st) would add a latency chain to this short loop.
      v128.store(p, canonical<v128>(mul<v128>(factorV, ld<v128>(p))));
    }
  }
  for (; i < n; i++) {
    const p = ptr + (<usize>i << 2);
    st<f32>(p, mul<f32>(factor, ld<f32>(p)));
  }
}
