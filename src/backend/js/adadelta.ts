import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type AdadeltaKernels = Pick<Kernels, "adadelta">;

export function adadeltaKernels(heap: Heap): AdadeltaKernels {
  return {
    adadelta(p, g, sq, accDelta, n, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, vi0 = sq >>> 2, ui0 = accDelta >>> 2;
      lr = f(lr); gScale = f(gScale); weightDecay = f(weightDecay); rho = f(rho); c = f(c); eps = f(eps);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(gScale * h[gi0 + i]) + f(weightDecay * pi));
        const vOld = h[vi0 + i];
        const vi = f(f(rho * vOld) + f(c * f(gi * gi)));
        put(h, hb, vi0 + i, vi);
        const ui = h[ui0 + i];
        const std = f(Math.sqrt(f((previousSquareAvg ? vOld : vi) + eps)));
        const delta = f(f(f(Math.sqrt(f(ui + eps))) / std) * gi);
        put(h, hb, ui0 + i, f(f(rho * ui) + f(c * f(delta * delta))));
        put(h, hb, pi0 + i, pi - f(lr * delta));
      }
    },
  };
}
