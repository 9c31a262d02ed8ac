import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put, viewOf } from "./fround.js";
import { BLOCK, REGION_BYTES, codeOf, int8ScalesAt, scaleOf } from "./int8.js";

// The js twin of assembly/kernels/adamInt8.ts: the same two passes per 256-number block, the same
// operations in the same order, the maps and thresholds read from the same heap block.

type AdamInt8Kernels = Pick<Kernels, "adamInt8">;

export function adamInt8Kernels(heap: Heap): AdamInt8Kernels {
  return {
    adamInt8(p, g, m, v, vmax, n, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad, tables) {
      const x = vmax;
      const h = heap.f32, hb = bitsOf(h), u8 = viewOf(h, Uint8Array);
      const wd = f(weightDecay), b1 = f(beta1), b2 = f(beta2);
      gScale = f(gScale); decay = f(decay); c1 = f(c1); c2 = f(c2); stepSize = f(stepSize); epsHat = f(epsHat);
      const mapM = tables >>> 2, mapV = (tables + REGION_BYTES) >>> 2, rM = tables, rV = tables + REGION_BYTES;
      const sm = (m + int8ScalesAt(n)) >>> 2, sv = (v + int8ScalesAt(n)) >>> 2, sx = (x + int8ScalesAt(n)) >>> 2;
      for (let start = 0; start < n; start += BLOCK) {
        const end = Math.min(n, start + BLOCK), b = start >>> 8;
        const oldM = h[sm + b], oldV = h[sv + b], oldX = amsgrad ? h[sx + b] : 0;
        let am = 0, av = 0, ax = 0;
        for (let i = start; i < end; i++) {
          const gi = f(f(gScale * h[(g >>> 2) + i]) + f(wd * h[(p >>> 2) + i]));
          const mi = f(f(b1 * f(h[mapM + u8[m + i]] * oldM)) + f(c1 * gi));
          const vi = f(f(b2 * f(h[mapV + u8[v + i]] * oldV)) + f(c2 * f(gi * gi)));
          am = Math.max(am, Math.abs(mi));
          av = Math.max(av, Math.abs(vi));
          if (amsgrad) ax = Math.max(ax, Math.abs(Math.max(f(h[mapV + u8[x + i]] * oldX), vi)));
        }
        const newM = scaleOf(am), newV = scaleOf(av), newX = scaleOf(ax);
        const dm = newM === 0 ? 1 : newM, dv = newV === 0 ? 1 : newV, dx = newX === 0 ? 1 : newX;
        for (let i = start; i < end; i++) {
          const pi = h[(p >>> 2) + i];
          const gi = f(f(gScale * h[(g >>> 2) + i]) + f(wd * pi));
          const mi = f(f(b1 * f(h[mapM + u8[m + i]] * oldM)) + f(c1 * gi));
          let vi = f(f(b2 * f(h[mapV + u8[v + i]] * oldV)) + f(c2 * f(gi * gi)));
          u8[m + i] = codeOf(h, u8, rM, f(mi / dm));
          u8[v + i] = codeOf(h, u8, rV, f(vi / dv));
          if (amsgrad) {
            vi = Math.max(f(h[mapV + u8[x + i]] * oldX), vi);
            u8[x + i] = codeOf(h, u8, rV, f(vi / dx));
          }
          put(h, hb, (p >>> 2) + i, f(decay * pi) - f(f(stepSize * mi) / f(f(Math.sqrt(vi)) + epsHat)));
        }
        // A poisoned block (scale NaN) stores codes 0.
        if (newM !== newM) u8.fill(0, m + start, m + end);
        if (newV !== newV) u8.fill(0, v + start, v + end);
        if (amsgrad && newX !== newX) u8.fill(0, x + start, x + end);
        put(h, hb, sm + b, newM);
        put(h, hb, sv + b, newV);
        if (amsgrad) put(h, hb, sx + b, newX);
      }
    },
  };
}
