import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type MuonKernels = Pick<Kernels, "muonMomentum" | "muonAxpby" | "muonApply" | "muonCopy">;

export function muonKernels(heap: Heap): MuonKernels {
  return {
    muonMomentum(g, buf, out, n, gScale, mu, oneMinusMu, nesterov) {
      const h = heap.f32, hb = bitsOf(h);
      const g0 = g >>> 2, b0 = buf >>> 2, o0 = out >>> 2;
      gScale = f(gScale); mu = f(mu); oneMinusMu = f(oneMinusMu);
      for (let i = 0; i < n; i++) {
        const gi = f(gScale * h[g0 + i]);
        const b = f(f(mu * h[b0 + i]) + f(oneMinusMu * gi));
        put(h, hb, b0 + i, b);
        put(h, hb, o0 + i, nesterov ? f(f(mu * b) + f(oneMinusMu * gi)) : b);
      }
    },

    muonAxpby(x, y, n, alpha, beta) {
      const h = heap.f32, hb = bitsOf(h);
      const x0 = x >>> 2, y0 = y >>> 2;
      alpha = f(alpha); beta = f(beta);
      for (let i = 0; i < n; i++) put(h, hb, y0 + i, f(alpha * h[x0 + i]) + f(beta * h[y0 + i]));
    },

    muonApply(p, o, n, decay, lr) {
      const h = heap.f32, hb = bitsOf(h);
      const p0 = p >>> 2, o0 = o >>> 2;
      decay = f(decay); lr = f(lr);
      for (let i = 0; i < n; i++) put(h, hb, p0 + i, f(decay * h[p0 + i]) - f(lr * h[o0 + i]));
    },

    muonCopy(dst, src, rows, cols, divisor, transpose) {
      const h = heap.f32, hb = bitsOf(h);
      const d0 = dst >>> 2, s0 = src >>> 2;
      divisor = f(divisor);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) put(h, hb, d0 + (transpose ? j * rows + i : i * cols + j), h[s0 + i * cols + j] / divisor);
      }
    },
  };
}
