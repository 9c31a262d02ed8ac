import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type AdamKernels = Pick<Kernels, "adam" | "adamBf16">;

export function adamKernels(heap: Heap): AdamKernels {
  const M32 = new Float32Slot(), M16 = new Bfloat16Slot(), V32 = new Float32Slot(), V16 = new Bfloat16Slot(), X32 = new Float32Slot(), X16 = new Bfloat16Slot();

  function run(M: StateSlot, V: StateSlot, X: StateSlot, p: number, g: number, n: number, gScale: number, weightDecay: number, decay: number, beta1: number, c1: number, beta2: number, c2: number, stepSize: number, epsHat: number, amsgrad: boolean): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    gScale = f(gScale); weightDecay = f(weightDecay); decay = f(decay);
    beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2); stepSize = f(stepSize); epsHat = f(epsHat);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const mi = f(f(beta1 * M.get(i)) + f(c1 * gi));
      let vi = f(f(beta2 * V.get(i)) + f(c2 * f(gi * gi)));
      M.set(i, mi);
      V.set(i, vi);
      if (amsgrad) {
        vi = Math.max(X.get(i), vi);
        X.set(i, vi);
      }
      const update = f(f(stepSize * mi) / f(f(Math.sqrt(vi)) + epsHat));
      put(h, hb, pi0 + i, f(decay * pi) - update);
    }
  }

  return {
    adam(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad) {
      const h = heap.f32;
      run(M32.at(h, m), V32.at(h, v), X32.at(h, vmax), p, g, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad);
    },
    adamBf16(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(M16.at(h, m, stochastic, slotKey(key, 0), first), V16.at(h, v, stochastic, slotKey(key, 1), first), X16.at(h, vmax, stochastic, slotKey(key, 2), first), p, g, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad);
    },
  };
}
