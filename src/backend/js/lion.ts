import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type LionKernels = Pick<Kernels, "lion" | "lionBf16">;

export function lionKernels(heap: Heap): LionKernels {
  const M32 = new Float32Slot(), M16 = new Bfloat16Slot();

  function run(M: StateSlot, p: number, g: number, n: number, gScale: number, decay: number, lr: number, beta1: number, c1: number, beta2: number, c2: number): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    gScale = f(gScale); decay = f(decay); lr = f(lr); beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2);
    for (let i = 0; i < n; i++) {
      const gi = f(gScale * h[gi0 + i]);
      const mOld = M.get(i);
      const c = f(f(beta1 * mOld) + f(c1 * gi));
      // sign as the lane computes it (±1 also for ±∞, +0 for ±0, NaN for NaN), without a branch
      // on the sign: random signs made the branchy form (and Math.sign) 2–3× slower. The NaN test
      // is a branch that never mispredicts; c − c in its place made ±∞ a NaN.
      const direction = +(c > 0) - +(c < 0) + (c === c ? 0 : c);
      put(h, hb, pi0 + i, f(decay * h[pi0 + i]) - f(lr * direction));
      M.set(i, f(f(beta2 * mOld) + f(c2 * gi)));
    }
  }

  return {
    lion(p, g, m, n, gScale, decay, lr, beta1, c1, beta2, c2) {
      run(M32.at(heap.f32, m), p, g, n, gScale, decay, lr, beta1, c1, beta2, c2);
    },
    lionBf16(p, g, m, n, gScale, decay, lr, beta1, c1, beta2, c2, stochastic, key, origin) {
      run(M16.at(heap.f32, m, stochastic, slotKey(key, 0), firstIndex(p, origin)), p, g, n, gScale, decay, lr, beta1, c1, beta2, c2);
    },
  };
}
