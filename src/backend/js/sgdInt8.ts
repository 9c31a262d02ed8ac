import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put, viewOf } from "./fround.js";
import { BLOCK, codeOf, int8ScalesAt, scaleOf } from "./int8.js";

// The js twin of assembly/kernels/sgdInt8.ts: the same two passes per 256-number block.

export function sgdInt8Kernels(heap: Heap): Pick<Kernels, "sgdMomentumInt8"> {
  return {
    sgdMomentumInt8(p, g, buf, n, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov, tables) {
      const h = heap.f32, hb = bitsOf(h), u8 = viewOf(h, Uint8Array);
      lr = f(lr); gScale = f(gScale); bufDecay = f(bufDecay); bufGradScale = f(bufGradScale); mu = f(mu);
      const wd = f(weightDecay), map = tables >>> 2, sb = (buf + int8ScalesAt(n)) >>> 2, pi0 = p >>> 2, gi0 = g >>> 2;
      for (let start = 0; start < n; start += BLOCK) {
        const end = Math.min(n, start + BLOCK), b = start >>> 8, old = h[sb + b];
        let a = 0;
        for (let i = start; i < end; i++) {
          const gi = f(f(gScale * h[gi0 + i]) + f(wd * h[pi0 + i]));
          a = Math.max(a, Math.abs(f(f(bufDecay * f(h[map + u8[buf + i]] * old)) + f(bufGradScale * gi))));
        }
        const scale = scaleOf(a), d = scale === 0 ? 1 : scale;
        for (let i = start; i < end; i++) {
          const pi = h[pi0 + i];
          const gi = f(f(gScale * h[gi0 + i]) + f(wd * pi));
          const bi = f(f(bufDecay * f(h[map + u8[buf + i]] * old)) + f(bufGradScale * gi));
          u8[buf + i] = codeOf(h, u8, tables, f(bi / d));
          const step = nesterov ? f(gi + f(mu * bi)) : bi;
          put(h, hb, pi0 + i, pi - f(lr * step));
        }
        if (scale !== scale) u8.fill(0, buf + start, buf + end);
        put(h, hb, sb + b, scale);
      }
    },
  };
}
