import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AdagradKernels = Pick<Kernels, "adagrad">;

export function adagradKernels(heap: Heap): AdagradKernels {
  return {
    adagrad(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, si0 = sum >>> 2;
      lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay); epsIn = f(epsIn); epsOut = f(epsOut);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const si = f(h[si0 + i] + f(gi * gi));
        put(h, hb, si0 + i, si);
        const denom = f(f(Math.sqrt(f(si + epsIn))) + epsOut);
        put(h, hb, pi0 + i, pi - f(f(lr * gi) / denom));
      }
    },
  };
}
