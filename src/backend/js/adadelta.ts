import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type AdadeltaKernels = Pick<Kernels, "adadelta" | "adadeltaBf16">;

export function adadeltaKernels(heap: Heap): AdadeltaKernels {
  const V32 = new Float32Slot(), V16 = new Bfloat16Slot(), U32 = new Float32Slot(), U16 = new Bfloat16Slot();

  function run(V: StateSlot, U: StateSlot, p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, rho: number, c: number, eps: number, previousSquareAvg: boolean): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay); rho = f(rho); c = f(c); eps = f(eps);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const vOld = V.get(i);
      const vi = f(f(rho * vOld) + f(c * f(gi * gi)));
      V.set(i, vi);
      const ui = U.get(i);
      const std = f(Math.sqrt(f((previousSquareAvg ? vOld : vi) + eps)));
      const delta = f(f(f(Math.sqrt(f(ui + eps))) / std) * gi);
      U.set(i, f(f(rho * ui) + f(c * f(delta * delta))));
      put(h, hb, pi0 + i, pi - f(lr * delta));
    }
  }

  return {
    adadelta(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg) {
      const h = heap.f32;
      run(V32.at(h, sq), U32.at(h, accDelta), p, g, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg);
    },
    adadeltaBf16(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(V16.at(h, sq, stochastic, slotKey(key, 0), first), U16.at(h, accDelta, stochastic, slotKey(key, 1), first), p, g, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg);
    },
  };
}
