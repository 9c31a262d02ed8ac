import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { NAN_BITS, bitsOf } from "./fround.js";

type OpsKernels = Pick<Kernels, "fill">;

export function opsKernels(heap: Heap): OpsKernels {
  return {
    fill(ptr, n, value) {
      const i0 = ptr >>> 2;
      // A NaN is written as the kernels' one NaN (fround.ts), not with whatever bits it came in.
      if (value === value) heap.f32.fill(value, i0, i0 + n);
      else bitsOf(heap.f32).fill(NAN_BITS, i0, i0 + n);
    },
  };
}
