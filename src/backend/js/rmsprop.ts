import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type RmspropKernels = Pick<Kernels, "rmsprop" | "rmspropBf16">;

export function rmspropKernels(heap: Heap): RmspropKernels {
  const V32 = new Float32Slot(), V16 = new Bfloat16Slot(), B32 = new Float32Slot(), B16 = new Bfloat16Slot(), A32 = new Float32Slot(), A16 = new Bfloat16Slot();

  function run(V: StateSlot, B: StateSlot, A: StateSlot, p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, alpha: number, c: number, mu: number, epsIn: number, epsOut: number, useMomentum: boolean, centered: boolean): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay);
    alpha = f(alpha); c = f(c); mu = f(mu); epsIn = f(epsIn); epsOut = f(epsOut);
    for (let i = 0; i < n; i++) {
      const pi = h[pi0 + i];
      const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
      const vi = f(f(alpha * V.get(i)) + f(c * f(gi * gi)));
      V.set(i, vi);
      let variance = vi;
      if (centered) {
        const ai = f(f(alpha * A.get(i)) + f(c * gi));
        A.set(i, ai);
        variance = f(vi - f(ai * ai));
      }
      const denom = f(f(Math.sqrt(f(variance + epsIn))) + epsOut);
      if (useMomentum) {
        const bi = f(f(mu * B.get(i)) + f(gi / denom));
        B.set(i, bi);
        put(h, hb, pi0 + i, pi - f(lr * bi));
      } else {
        put(h, hb, pi0 + i, pi - f(f(lr * gi) / denom));
      }
    }
  }

  return {
    rmsprop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered) {
      const h = heap.f32;
      run(V32.at(h, sq), B32.at(h, buf), A32.at(h, gAvg), p, g, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
    },
    rmspropBf16(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(V16.at(h, sq, stochastic, slotKey(key, 0), first), B16.at(h, buf, stochastic, slotKey(key, 1), first), A16.at(h, gAvg, stochastic, slotKey(key, 2), first), p, g, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
    },
  };
}
