import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type SgdKernels = Pick<Kernels, "sgd" | "sgdMomentum" | "sgdMomentumBf16">;

export function sgdKernels(heap: Heap): SgdKernels {
  const B32 = new Float32Slot(), B16 = new Bfloat16Slot();

  function momentum(B: StateSlot, p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, bufDecay: number, bufGradScale: number, mu: number, nesterov: boolean): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay);
    bufDecay = f(bufDecay); bufGradScale = f(bufGradScale); mu = f(mu);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const bi = f(f(bufDecay * B.get(i)) + f(bufGradScale * gi));
      B.set(i, bi);
      const d = nesterov ? f(gi + f(mu * bi)) : bi;
      put(h, hb, pi0 + i, pi - f(lr * d));
    }
  }

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
      momentum(B32.at(heap.f32, buf), p, g, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov);
    },

    sgdMomentumBf16(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov, stochastic, key, origin) {
      momentum(B16.at(heap.f32, buf, stochastic, slotKey(key, 0), firstIndex(p, origin)), p, g, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov);
    },
  };
}
