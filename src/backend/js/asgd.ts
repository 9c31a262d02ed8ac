import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AsgdKernels = Pick<Kernels, "asgd">;

export function asgdKernels(heap: Heap): AsgdKernels {
  return {
    asgd(p, g, ax, n, gScale, weightDecay, decay, eta, mu, average) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, ai0 = ax >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); decay = f(decay); eta = f(eta); mu = f(mu);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const next = f(f(decay * pi) - f(eta * gi));
        put(h, hb, pi0 + i, next);
        if (!average) put(h, hb, ai0 + i, next);
        else {
          const axi = h[ai0 + i];
          put(h, hb, ai0 + i, axi + f(f(next - axi) * mu));
        }
      }
    },
  };
}
