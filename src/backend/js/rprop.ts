import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { firstIndex, slotKey, StateSlot } from "./storage.js";

type RpropKernels = Pick<Kernels, "rprop" | "rpropBf16">;

export function rpropKernels(heap: Heap): RpropKernels {
  const Q = new StateSlot(), S = new StateSlot();

  function run(p: number, g: number, n: number, gScale: number, etaMinus: number, etaPlus: number, stepSizeMin: number, stepSizeMax: number): void {
    const h = heap.f32, hb = bitsOf(h);
    const pi0 = p >>> 2, gi0 = g >>> 2;
    gScale = f(gScale); etaMinus = f(etaMinus); etaPlus = f(etaPlus);
    stepSizeMin = f(stepSizeMin); stepSizeMax = f(stepSizeMax);
    for (let i = 0; i < n; i++) {
      let gi = f(gScale * h[gi0 + i]);
      const s = f(gi * Q.get(i));
      const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1;
      const step = Math.min(Math.max(f(S.get(i) * factor), stepSizeMin), stepSizeMax);
      if (s < 0) gi = 0;
      S.set(i, step);
      Q.set(i, gi);
      const move = gi > 0 ? step : gi < 0 ? 0 - step : 0; // 0 − step as the lane: −step would give −0 for +0
      put(h, hb, pi0 + i, h[pi0 + i] - move);
    }
  }

  return {
    rprop(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax) {
      const h = heap.f32;
      Q.f32(h, prev); S.f32(h, stepSize);
      run(p, g, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    },
    rpropBf16(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      Q.bf16(h, prev, stochastic, slotKey(key, 0), first); S.bf16(h, stepSize, stochastic, slotKey(key, 1), first);
      run(p, g, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    },
  };
}
