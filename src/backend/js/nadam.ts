import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type NadamKernels = Pick<Kernels, "nadam" | "nadamBf16">;

export function nadamKernels(heap: Heap): NadamKernels {
  const M32 = new Float32Slot(), M16 = new Bfloat16Slot(), V32 = new Float32Slot(), V16 = new Bfloat16Slot();

  function run(M: StateSlot, V: StateSlot, p: number, g: number, n: number, gScale: number, wd: number, decay: number, beta1: number, weight1: number, beta2: number, weight2: number, gCoef: number, mCoef: number, epsHat: number, adaptive: boolean): void {
    const h = heap.f32, hb = bitsOf(h);
    const at = p >>> 2, gAt = g >>> 2;
    gScale = f(gScale); wd = f(wd); decay = f(decay); epsHat = f(epsHat);
    beta1 = f(beta1); weight1 = f(weight1); beta2 = f(beta2); weight2 = f(weight2); gCoef = f(gCoef); mCoef = f(mCoef);
    for (let i = 0; i < n; i++) {
      const pi = h[at + i];
      const gi = f(f(gScale * h[gAt + i]) + f(wd * pi));
      const mi = f(f(beta1 * M.get(i)) + f(weight1 * gi));
      const vi = f(f(beta2 * V.get(i)) + f(weight2 * f(gi * gi)));
      M.set(i, mi);
      V.set(i, vi);
      const step = f(f(gCoef * gi) + f(mCoef * mi));
      put(h, hb, at + i, f(decay * pi) - (adaptive ? f(step / f(f(Math.sqrt(vi)) + epsHat)) : step));
    }
  }

  return {
    nadam(p, g, m, v, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive) {
      const h = heap.f32;
      run(M32.at(h, m), V32.at(h, v), p, g, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive);
    },
    nadamBf16(p, g, m, v, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(M16.at(h, m, stochastic, slotKey(key, 0), first), V16.at(h, v, stochastic, slotKey(key, 1), first), p, g, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive);
    },
  };
}
