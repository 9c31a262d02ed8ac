import type { Heap } from "../../memory/heap.js";

export interface OpsKernels {
  /** Sets n floats at ptr to value. */
  fill(ptr: number, n: number, value: number): void;
}

export function opsKernels(heap: Heap): OpsKernels {
  return {
    fill(ptr, n, value) {
      const i0 = ptr >>> 2;
      heap.f32.fill(value, i0, i0 + n);
    },
  };
}
