import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type RmspropKernels = Pick<Kernels, "rmsprop">;

export function rmspropKernels(heap: Heap): RmspropKernels {
  return {
    rmsprop(p, g, sq, buf, gAvg, n, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, vi0 = sq >>> 2, bi0 = buf >>> 2, ai0 = gAvg >>> 2;
      lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay);
      alpha = f(alpha); c = f(c); mu = f(mu); epsIn = f(epsIn); epsOut = f(epsOut);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const vi = f(f(alpha * h[vi0 + i]) + f(c * f(gi * gi)));
        put(h, hb, vi0 + i, vi);
        let variance = vi;
        if (centered) {
          const ai = f(f(alpha * h[ai0 + i]) + f(c * gi));
          put(h, hb, ai0 + i, ai);
          variance = f(vi - f(ai * ai));
        }
        const denom = f(f(Math.sqrt(f(variance + epsIn))) + epsOut);
        if (useMomentum) {
          const bi = f(f(mu * h[bi0 + i]) + f(gi / denom));
          put(h, hb, bi0 + i, bi);
          put(h, hb, pi0 + i, pi - f(lr * bi));
        } else {
          put(h, hb, pi0 + i, pi - f(f(lr * gi) / denom));
        }
      }
    },
  };
}
