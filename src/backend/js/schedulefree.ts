import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type ScheduleFreeKernels = Pick<Kernels, "scheduleFreeSgd" | "scheduleFreeAdamW" | "lerp">;

export function scheduleFreeKernels(heap: Heap): ScheduleFreeKernels {
  /** The y and z updates of both families at element i (z: the stored z, or y on the first step), in the lane's order. */
  function step(h: Float32Array, hb: Uint32Array, yi: number, zi: number, y: number, z: number, d: number, lerpCoef: number, yCoef: number, lr: number, fromZ: boolean): void {
    const pulled = f((fromZ ? z : y) + f(lerpCoef * f(z - y)));
    put(h, hb, yi, pulled + f(yCoef * d));
    put(h, hb, zi, z - f(lr * d));
  }

  return {
    scheduleFreeSgd(p, g, z, n, gScale, weightDecay, lerpCoef, yCoef, lr, fromZ, fresh) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, zi0 = z >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); lerpCoef = f(lerpCoef); yCoef = f(yCoef); lr = f(lr);
      for (let i = 0; i < n; i++) {
        const y = h[pi0 + i];
        const d = f(f(gScale * h[gi0 + i]) + f(weightDecay * y));
        step(h, hb, pi0 + i, zi0 + i, y, fresh ? y : h[zi0 + i], d, lerpCoef, yCoef, lr, fromZ);
      }
    },

    scheduleFreeAdamW(p, g, z, v, n, gScale, weightDecay, beta2, c2, bcScale, epsHat, lerpCoef, yCoef, lr, fromZ, fresh) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, zi0 = z >>> 2, vi0 = v >>> 2;
      gScale = f(gScale); weightDecay = f(weightDecay); beta2 = f(beta2); c2 = f(c2); bcScale = f(bcScale); epsHat = f(epsHat);
      lerpCoef = f(lerpCoef); yCoef = f(yCoef); lr = f(lr);
      for (let i = 0; i < n; i++) {
        const y = h[pi0 + i];
        const gi = f(gScale * h[gi0 + i]);
        const vi = f(f(beta2 * h[vi0 + i]) + f(c2 * f(gi * gi)));
        put(h, hb, vi0 + i, vi);
        const d = f(f(f(bcScale * gi) / f(f(Math.sqrt(vi)) + epsHat)) + f(weightDecay * y));
        step(h, hb, pi0 + i, zi0 + i, y, fresh ? y : h[zi0 + i], d, lerpCoef, yCoef, lr, fromZ);
      }
    },

    lerp(p, z, n, coef, fromZ) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, zi0 = z >>> 2;
      coef = f(coef);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i], zi = h[zi0 + i];
        put(h, hb, pi0 + i, (fromZ ? zi : pi) + f(coef * f(zi - pi)));
      }
    },
  };
}
