import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AdamKernels = Pick<Kernels, "adam">;

export function adamKernels(heap: Heap): AdamKernels {
  return {
    adam(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, mi0 = m >>> 2, vi0 = v >>> 2, xi0 = vmax >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); decay = f(decay);
      beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2); stepSize = f(stepSize); epsHat = f(epsHat);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const mi = f(f(beta1 * h[mi0 + i]) + f(c1 * gi));
        let vi = f(f(beta2 * h[vi0 + i]) + f(c2 * f(gi * gi)));
        put(h, hb, mi0 + i, mi);
        put(h, hb, vi0 + i, vi);
        if (amsgrad) {
          vi = Math.max(h[xi0 + i], vi);
          put(h, hb, xi0 + i, vi);
        }
        const update = f(f(stepSize * mi) / f(f(Math.sqrt(vi)) + epsHat));
        put(h, hb, pi0 + i, f(decay * pi) - update);
      }
    },
  };
}
