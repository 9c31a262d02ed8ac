import type { Kernels } from "../types.js";

/**
 * Floats per reduction block (64 KiB). The norms (sumSquares, maxAbs) are defined as the kernel
 * applied to consecutive blocks of this size, combined left to right: Σ in float64 in block order,
 * max in any order. One thread or many compute the same blocks, so the norm is bit-identical for
 * every thread count; a run of at most one block is exactly one kernel call, as before threads.
 */
export const REDUCE_BLOCK = 16384;

/** The backend's kernels with sumSquares and maxAbs evaluated block by block in that fixed order. */
export function blockedReductions(kernels: Kernels): Kernels {
  const { sumSquares, maxAbs } = kernels;
  return {
    ...kernels,
    sumSquares(ptr, n) {
      if (n <= REDUCE_BLOCK) return sumSquares(ptr, n);
      let sum = 0;
      for (let at = 0; at < n; at += REDUCE_BLOCK) sum += sumSquares(ptr + 4 * at, Math.min(REDUCE_BLOCK, n - at));
      return sum;
    },
    maxAbs(ptr, n) {
      if (n <= REDUCE_BLOCK) return maxAbs(ptr, n);
      let max = 0;
      // Math.max, so a NaN in any block makes the result NaN, as one call over the run would.
      for (let at = 0; at < n; at += REDUCE_BLOCK) max = Math.max(max, maxAbs(ptr + 4 * at, Math.min(REDUCE_BLOCK, n - at)));
      return max;
    },
  };
}
