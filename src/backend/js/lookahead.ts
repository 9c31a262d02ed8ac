import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type LookaheadKernels = Pick<Kernels, "lookahead">;

export function lookaheadKernels(heap: Heap): LookaheadKernels {
  return {
    lookahead(s, fast, n, alpha) {
      const h = heap.f32, hb = bitsOf(h);
      const s0 = s >>> 2, f0 = fast >>> 2;
      alpha = f(alpha);
      for (let i = 0; i < n; i++) {
        const si = h[s0 + i];
        const next = f(si + f(alpha * f(h[f0 + i] - si)));
        put(h, hb, s0 + i, next);
        put(h, hb, f0 + i, next);
      }
    },
  };
}
