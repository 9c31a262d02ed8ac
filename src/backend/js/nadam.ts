import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type NadamKernels = Pick<Kernels, "nadam">;

export function nadamKernels(heap: Heap): NadamKernels {
  return {
    nadam(p, g, m, v, n, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive) {
      const h = heap.f32, hb = bitsOf(h);
      const at = p >>> 2, gAt = g >>> 2, mAt = m >>> 2, vAt = v >>> 2;
      gScale = f(gScale); wd = f(wd); decay = f(decay); epsHat = f(epsHat);
      beta1 = f(beta1); weight1 = f(weight1); beta2 = f(beta2); weight2 = f(weight2); gCoef = f(gCoef); mCoef = f(mCoef);
      for (let i = 0; i < n; i++) {
        const pi = h[at + i];
        const gi = f(f(gScale * h[gAt + i]) + f(wd * pi));
        const mi = f(f(beta1 * h[mAt + i]) + f(weight1 * gi));
        const vi = f(f(beta2 * h[vAt + i]) + f(weight2 * f(gi * gi)));
        put(h, hb, mAt + i, mi);
        put(h, hb, vAt + i, vi);
        const step = f(f(gCoef * gi) + f(mCoef * mi));
        put(h, hb, at + i, f(decay * pi) - (adaptive ? f(step / f(f(Math.sqrt(vi)) + epsHat)) : step));
      }
    },
  };
}
