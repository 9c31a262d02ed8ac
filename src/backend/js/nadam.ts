import type { Heap } from "../../memory/heap.js";
import { f } from "./fround.js";

export interface NadamKernels {
  /** See assembly/kernels/nadam.ts. */
  nadam(
    p: number, g: number, m: number, v: number, n: number,
    gScale: number, weightDecay: number, decay: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    gCoef: number, mCoef: number, epsHat: number,
  ): void;
}

export function nadamKernels(heap: Heap): NadamKernels {
  return {
    nadam(p, g, m, v, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, gCoef, mCoef, epsHat) {
      const h = heap.f32;
      const pi0 = p >>> 2, gi0 = g >>> 2, mi0 = m >>> 2, vi0 = v >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); decay = f(decay);
      beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2);
      gCoef = f(gCoef); mCoef = f(mCoef); epsHat = f(epsHat);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const mi = f(f(beta1 * h[mi0 + i]) + f(c1 * gi));
        const vi = f(f(beta2 * h[vi0 + i]) + f(c2 * f(gi * gi)));
        h[mi0 + i] = mi;
        h[vi0 + i] = vi;
        const step = f(f(gCoef * gi) + f(mCoef * mi));
        h[pi0 + i] = f(decay * pi) - f(step / f(f(Math.sqrt(vi)) + epsHat));
      }
    },
  };
}
