import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type AdagradKernels = Pick<Kernels, "adagrad" | "adagradBf16">;

export function adagradKernels(heap: Heap): AdagradKernels {
  const S32 = new Float32Slot(), S16 = new Bfloat16Slot();

  function run(S: StateSlot, p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, epsIn: number, epsOut: number): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay); epsIn = f(epsIn); epsOut = f(epsOut);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const si = f(S.get(i) + f(gi * gi));
      S.set(i, si);
      const denom = f(f(Math.sqrt(f(si + epsIn))) + epsOut);
      put(h, hb, pi0 + i, pi - f(f(lr * gi) / denom));
    }
  }

  return {
    adagrad(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut) {
      run(S32.at(heap.f32, sum), p, g, n, lr, gScale, weightDecay, epsIn, epsOut);
    },
    adagradBf16(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut, stochastic, key, origin) {
      run(S16.at(heap.f32, sum, stochastic, slotKey(key, 0), firstIndex(p, origin)), p, g, n, lr, gScale, weightDecay, epsIn, epsOut);
    },
  };
}
