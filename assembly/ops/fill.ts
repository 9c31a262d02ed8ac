import { st, splat } from "./lane";

/** Sets n floats at ptr (16-byte aligned) to value: zeroGrad and state initialisation. */
export function fill(ptr: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const valueV = splat<v128>(value);
    for (; i + 4 <= n; i += 4) st<v128>(ptr + (<usize>i << 2), valueV);
  }
  for (; i < n; i++) st<f32>(ptr + (<usize>i << 2), value);
}
