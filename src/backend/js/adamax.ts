import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type AdamaxKernels = Pick<Kernels, "adamax" | "adamaxBf16">;

export function adamaxKernels(heap: Heap): AdamaxKernels {
  const M32 = new Float32Slot(), M16 = new Bfloat16Slot(), U32 = new Float32Slot(), U16 = new Bfloat16Slot();

  function run(M: StateSlot, U: StateSlot, p: number, g: number, n: number, gScale: number, weightDecay: number, beta1: number, c1: number, beta2: number, epsInMax: number, epsOutside: number, stepSize: number): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    gScale = f(gScale); weightDecay = f(weightDecay); beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2);
    epsInMax = f(epsInMax); epsOutside = f(epsOutside); stepSize = f(stepSize);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const mi = f(f(beta1 * M.get(i)) + f(c1 * gi));
      const ui = Math.max(f(beta2 * U.get(i)), f(Math.abs(gi) + epsInMax));
      M.set(i, mi);
      U.set(i, ui);
      put(h, hb, pi0 + i, pi - f(f(stepSize * mi) / f(ui + epsOutside)));
    }
  }

  return {
    adamax(p, g, m, u, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize) {
      const h = heap.f32;
      run(M32.at(h, m), U32.at(h, u), p, g, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize);
    },
    adamaxBf16(p, g, m, u, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(M16.at(h, m, stochastic, slotKey(key, 0), first), U16.at(h, u, stochastic, slotKey(key, 1), first), p, g, n, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize);
    },
  };
}
