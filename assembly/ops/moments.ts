import { ld, add, mul } from "./lane";
import { lds, sts } from "./storage";

// Pieces shared by the lanes of the Adam-like kernels (same operations, same order as written
// out in kernels/adam.ts, so results are unchanged by sharing them).

/** The gradient a kernel works with: gScale·g + wd·p (sign, clipping and L2 decay in one). */
@inline export function scaledGrad<T>(g: usize, p: T, gScale: T, wd: T): T {
  return add<T>(mul<T>(gScale, ld<T>(g)), mul<T>(wd, p));
}

/**
 * An exponential moving average in place: s ← decay·s + weight·x; returns the new s (before a
 * bfloat16 store rounds it). `mode`, `key`, `at`: the slot's storage (ops/storage.ts).
 */
@inline export function ema<T>(s: usize, decay: T, weight: T, x: T, mode: i32, key: u32, at: u32): T {
  const next = add<T>(mul<T>(decay, lds<T>(s, mode)), mul<T>(weight, x));
  sts<T>(s, next, mode, key, at);
  return next;
}
