import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { firstIndex, slotKey, StateSlot } from "./storage.js";

type AdagradKernels = Pick<Kernels, "adagrad" | "adagradBf16">;

export function adagradKernels(heap: Heap): AdagradKernels {
  const S = new StateSlot();

  function run(p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, epsIn: number, epsOut: number): void {
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
      S.f32(heap.f32, sum);
      run(p, g, n, lr, gScale, weightDecay, epsIn, epsOut);
    },
    adagradBf16(p, g, sum, n, lr, gScale, weightDecay, epsIn, epsOut, stochastic, key, origin) {
      S.bf16(heap.f32, sum, stochastic, slotKey(key, 0), firstIndex(p, origin));
      run(p, g, n, lr, gScale, weightDecay, epsIn, epsOut);
    },
  };
}
