import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type ClipKernels = Pick<Kernels, "sumSquares" | "maxAbs" | "scale" | "clamp">;

export function clipKernels(heap: Heap): ClipKernels {
  return {
    sumSquares(ptr, n) {
      const h = heap.f32;
      const i0 = ptr >>> 2;
      const body = n & ~7;
      // Float32Array reads are exact doubles, and a float32 squared is exact in float64: only the
      // additions round, in the same order as the wasm kernel's eight lanes.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let i = i0; i < i0 + body; i += 8) {
        const x0 = h[i], x1 = h[i + 1], x2 = h[i + 2], x3 = h[i + 3];
        const x4 = h[i + 4], x5 = h[i + 5], x6 = h[i + 6], x7 = h[i + 7];
        s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
        s4 += x4 * x4; s5 += x5 * x5; s6 += x6 * x6; s7 += x7 * x7;
      }
      let tail = 0;
      for (let i = i0 + body; i < i0 + n; i++) tail += h[i] * h[i];
      return (s0 + s2 + (s4 + s6)) + (s1 + s3 + (s5 + s7)) + tail;
    },

    maxAbs(ptr, n) {
      const h = heap.f32;
      const i0 = ptr >>> 2;
      let result = 0;
      for (let i = i0; i < i0 + n; i++) result = Math.max(result, Math.abs(h[i]));
      return result;
    },

    scale(ptr, n, factor) {
      const h = heap.f32, hb = bitsOf(h);
      const i0 = ptr >>> 2;
      factor = f(factor);
      for (let i = i0; i < i0 + n; i++) put(h, hb, i, factor * h[i]);
    },

    clamp(ptr, n, lo, hi) {
      const h = heap.f32, hb = bitsOf(h);
      const i0 = ptr >>> 2;
      lo = f(lo);
      hi = f(hi);
      for (let i = i0; i < i0 + n; i++) put(h, hb, i, Math.min(Math.max(h[i], lo), hi));
    },
  };
}
