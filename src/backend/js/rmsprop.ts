import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { firstIndex, slotKey, StateSlot } from "./storage.js";

type RmspropKernels = Pick<Kernels, "rmsprop" | "rmspropBf16">;

export function rmspropKernels(heap: Heap): RmspropKernels {
  const V = new StateSlot(), B = new StateSlot(), A = new StateSlot();

  function run(p: number, g: number, n: number, lr: number, gScale: number, weightDecay: number, alpha: number, c: number, mu: number, epsIn: number, epsOut: number, useMomentum: boolean, centered: boolean): void {
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
      V.f32(h, sq); B.f32(h, buf); A.f32(h, gAvg);
      run(p, g, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
    },
    rmspropBf16(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      V.bf16(h, sq, stochastic, slotKey(key, 0), first); B.bf16(h, buf, stochastic, slotKey(key, 1), first); A.bf16(h, gAvg, stochastic, slotKey(key, 2), first);
      run(p, g, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
    },
  };
}
