import type { Heap } from "../../memory/heap.js";
import { f } from "./fround.js";

export interface RadamKernels {
  /** See assembly/kernels/radam.ts. */
  radam(
    p: number, g: number, m: number, v: number, n: number,
    gScale: number, weightDecay: number, decay: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    stepSize: number, epsHat: number, rectified: boolean,
  ): void;
}

export function radamKernels(heap: Heap): RadamKernels {
  return {
    radam(p, g, m, v, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, rectified) {
      const h = heap.f32;
      const pi0 = p >>> 2, gi0 = g >>> 2, mi0 = m >>> 2, vi0 = v >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); decay = f(decay);
      beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2); stepSize = f(stepSize); epsHat = f(epsHat);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const mi = f(f(beta1 * h[mi0 + i]) + f(c1 * gi));
        const vi = f(f(beta2 * h[vi0 + i]) + f(c2 * f(gi * gi)));
        h[mi0 + i] = mi;
        h[vi0 + i] = vi;
        const scaled = f(stepSize * mi);
        const update = rectified ? f(scaled / f(f(Math.sqrt(vi)) + epsHat)) : scaled;
        h[pi0 + i] = f(decay * pi) - update;
      }
    },
  };
}
