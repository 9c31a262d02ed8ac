/**
 * Exchanges n floats at a and b, bits unchanged (a NaN keeps its payload): swapping averaged
 * weights in and out must give back exactly what was there. Pointers: 16-byte-aligned byte offsets.
 */
export function swap(a: usize, b: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const x = v128.load(a + o);
      v128.store(a + o, v128.load(b + o));
      v128.store(b + o, x);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<u32>(a + o);
    store<u32>(a + o, load<u32>(b + o));
    store<u32>(b + o, x);
  }
}
