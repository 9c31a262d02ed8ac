/**
 * max |x| over n floats at ptr (0 when n = 0): the infinity norm for gradient clipping.
 * A NaN anywhere makes the result NaN (wasm's min/max propagate NaN, as Math.max does), and an
 * infinity makes it infinite, so the non-finite guard can read it too. Max is exact and
 * order-free: every backend returns the same value. ptr needs no alignment.
 */
export function maxAbs(ptr: usize, n: i32): f32 {
  let i = 0;
  let result: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Two accumulators, eight floats per iteration, to keep two max chains in flight.
    let a = f32x4.splat(0), b = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      a = f32x4.max(a, f32x4.abs(v128.load(ptr + (<usize>i << 2))));
      b = f32x4.max(b, f32x4.abs(v128.load(ptr + (<usize>i << 2) + 16)));
    }
    const m = f32x4.max(a, b);
    result = Mathf.max(Mathf.max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), Mathf.max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  for (; i < n; i++) result = Mathf.max(result, Mathf.abs(load<f32>(ptr + (<usize>i << 2))));
  return result;
}
