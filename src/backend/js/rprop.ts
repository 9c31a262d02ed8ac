import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

type RpropKernels = Pick<Kernels, "rprop">;

export function rpropKernels(heap: Heap): RpropKernels {
  return {
    rprop(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax) {
      const h = heap.f32, hb = bitsOf(h);
      const pi0 = p >>> 2, gi0 = g >>> 2, qi0 = prev >>> 2, si0 = stepSize >>> 2;
      gScale = f(gScale); etaMinus = f(etaMinus); etaPlus = f(etaPlus);
      stepSizeMin = f(stepSizeMin); stepSizeMax = f(stepSizeMax);
      for (let i = 0; i < n; i++) {
        let gi = f(gScale * h[gi0 + i]);
        const s = f(gi * h[qi0 + i]);
        const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1;
        const step = Math.min(Math.max(f(h[si0 + i] * factor), stepSizeMin), stepSizeMax);
        if (s < 0) gi = 0;
        put(h, hb, si0 + i, step);
        put(h, hb, qi0 + i, gi);
        const move = gi > 0 ? step : gi < 0 ? 0 - step : 0; // 0 − step as the lane: −step would give −0 for +0
        put(h, hb, pi0 + i, h[pi0 + i] - move);
      }
    },
  };
}
