import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf } from "./fround.js";

type SwapKernels = Pick<Kernels, "swap">;

export function swapKernels(heap: Heap): SwapKernels {
  return {
    swap(a, b, n) {
      // Through the integer view: a NaN keeps its payload.
      const hb = bitsOf(heap.f32);
      const a0 = a >>> 2, b0 = b >>> 2;
      for (let i = 0; i < n; i++) {
        const x = hb[a0 + i];
        hb[a0 + i] = hb[b0 + i];
        hb[b0 + i] = x;
      }
    },
  };
}
