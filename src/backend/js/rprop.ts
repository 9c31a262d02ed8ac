import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";
import { Bfloat16Slot, firstIndex, Float32Slot, slotKey, type StateSlot } from "./storage.js";

type RpropKernels = Pick<Kernels, "rprop" | "rpropBf16">;

export function rpropKernels(heap: Heap): RpropKernels {
  const Q32 = new Float32Slot(), Q16 = new Bfloat16Slot(), S32 = new Float32Slot(), S16 = new Bfloat16Slot();

  function run(Q: StateSlot, S: StateSlot, p: number, g: number, n: number, gScale: number, etaMinus: number, etaPlus: number, stepSizeMin: number, stepSizeMax: number): void {
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
      run(Q32.at(h, prev), S32.at(h, stepSize), p, g, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    },
    rpropBf16(p, g, prev, stepSize, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, stochastic, key, origin) {
      const h = heap.f32, first = firstIndex(p, origin);
      run(Q16.at(h, prev, stochastic, slotKey(key, 0), first), S16.at(h, stepSize, stochastic, slotKey(key, 1), first), p, g, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    },
  };
}
