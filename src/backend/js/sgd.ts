import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type SgdKernels = Pick<Kernels, "sgd" | "sgdMomentum">;

export function sgdKernels(heap: Heap): SgdKernels {
  return {
    sgd(p, g, n, lr, gScale, weightDecay) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2;
      lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        put(h, hb, pi0 + i, pi - f(lr * gi));
      }
    },

    sgdMomentum(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, bi0 = buf >>> 2;
      lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay);
      bufDecay = f(bufDecay); bufGradScale = f(bufGradScale); mu = f(mu);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const bi = f(f(bufDecay * h[bi0 + i]) + f(bufGradScale * gi));
        put(h, hb, bi0 + i, bi);
        const d = nesterov ? f(gi + f(mu * bi)) : bi;
        put(h, hb, pi0 + i, pi - f(lr * d));
      }
    },
  };
}
