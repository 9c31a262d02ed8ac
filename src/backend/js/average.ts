import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AverageKernels = Pick<Kernels, "lerpAverage" | "lerpStash">;

export function averageKernels(heap: Heap): AverageKernels {
  return {
    lerpAverage(a, x, n, w) {
      lerpInto(heap.f32, a >>> 2, x >>> 2, a >>> 2, n, f(w));
    },
    lerpStash(a, g, s, n, w) {
      const g0 = g >>> 2;
      // Through the integer view: a NaN keeps its payload.
      bitsOf(heap.f32).copyWithin(s >>> 2, g0, g0 + n);
      lerpInto(heap.f32, a >>> 2, g0, g0, n, f(w));
    },
  };
}

/** out ← a + (x − a)·w, or out ← x when w = 1 (element indices). */
function lerpInto(h: Float32Array, a0: number, x0: number, out0: number, n: number, w: number): void {
  const hb = bitsOf(h);
  if (w === 1) {
    for (let i = 0; i < n; i++) put(h, hb, out0 + i, h[x0 + i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    const ai = h[a0 + i];
    put(h, hb, out0 + i, f(ai + f(f(h[x0 + i] - ai) * w)));
  }
}
