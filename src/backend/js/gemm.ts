import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { f } from "./fround.js";

type GemmKernels = Pick<Kernels, "gemm">;

export function gemmKernels(heap: Heap): GemmKernels {
  return {
    gemm(c, a, b, m, n, k, transA, transB) {
      const h = heap.f32;
      const c0 = c >>> 2, a0 = a >>> 2, b0 = b >>> 2;
      // Float strides of op(A) (row i, depth p) and op(B) (depth p, column j).
      const rsA = transA ? 1 : k, csA = transA ? m : 1;
      const rsB = transB ? 1 : n, csB = transB ? k : 1;
      if (!transB) {
        // Loop p outside j: B's row p is read contiguously, and each C element still gets its
        // products in p order (C holds the float32 partial sum between iterations, exactly).
        for (let i = 0; i < m; i++) {
          const ci = c0 + i * n;
          for (let p = 0; p < k; p++) {
            const ai = h[a0 + i * rsA + p * csA];
            const bp = b0 + p * rsB;
            for (let j = 0; j < n; j++) h[ci + j] = f(h[ci + j] + f(ai * h[bp + j]));
          }
        }
        return;
      }
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = h[c0 + i * n + j];
          for (let p = 0; p < k; p++) acc = f(acc + f(h[a0 + i * rsA + p * csA] * h[b0 + p * rsB + j * csB]));
          h[c0 + i * n + j] = acc;
        }
      }
    },
  };
}
