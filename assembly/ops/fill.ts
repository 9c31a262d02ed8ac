import { canonical, splat } from "./lane";

/** Sets n floats at ptr (16-byte aligned) to value: zeroGrad and state initialisation. */
export function fill(ptr: usize, n: i32, value: f32): void {
  // Made canonical once here, so the loops store it as it is (st would redo it per store).
  const v = canonical<f32>(value);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const valueV = splat<v128>(v);
    for (; i + 4 <= n; i += 4) v128.store(ptr + (<usize>i << 2), valueV);
  }
  for (; i < n; i++) store<f32>(ptr + (<usize>i << 2), v);
}
