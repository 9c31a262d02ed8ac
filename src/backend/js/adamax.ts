import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AdamaxKernels = Pick<Kernels, "adamax">;

export function adamaxKernels(heap: Heap): AdamaxKernels {
  return {
    adamax(p, g, m, u, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, mi0 = m >>> 2, ui0 = u >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2);
      epsInMax = f(epsInMax); epsOutside = f(epsOutside); stepSize = f(stepSize);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const mi = f(f(beta1 * h[mi0 + i]) + f(c1 * gi));
        const ui = Math.max(f(beta2 * h[ui0 + i]), f(Math.abs(gi) + epsInMax));
        put(h, hb, mi0 + i, mi);
        put(h, hb, ui0 + i, ui);
        put(h, hb, pi0 + i, pi - f(f(stepSize * mi) / f(ui + epsOutside)));
      }
    },
  };
}
