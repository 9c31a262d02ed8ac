import type { Heap } from "../memory/heap.js";
import type { Kernels } from "./types.js";

// The plain-JS kernels: the same updates as assembly/, over a Float32Array of the same heap.
// Math.fround after every operation makes each step round exactly as float32 arithmetic does
// (double rounding is harmless for + − × ÷ √ from float32 operands), so the js backend gives
// the wasm backends' results bit for bit.
const f = Math.fround;

export function createJsKernels(heap: Heap): Kernels {
  return {
    fill(ptr, n, value) {
      const i0 = ptr >>> 2;
      heap.f32.fill(value, i0, i0 + n);
    },

    sgd(p, g, n, lr, sign, weightDecay) {
      const h = heap.f32;
      const pi0 = p >>> 2, gi0 = g >>> 2;
      lr = f(lr); sign = f(sign); weightDecay = f(weightDecay);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(sign * h[gi0 + i]) + f(weightDecay * pi));
        h[pi0 + i] = pi - f(lr * gi);
      }
    },

    sgdMomentum(p, g, buf, n, lr, sign, weightDecay, bufDecay, gradScale, mu, nesterov) {
      const h = heap.f32;
      const pi0 = p >>> 2, gi0 = g >>> 2, bi0 = buf >>> 2;
      lr = f(lr); sign = f(sign); weightDecay = f(weightDecay);
      bufDecay = f(bufDecay); gradScale = f(gradScale); mu = f(mu);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(sign * h[gi0 + i]) + f(weightDecay * pi));
        const bi = f(f(bufDecay * h[bi0 + i]) + f(gradScale * gi));
        h[bi0 + i] = bi;
        const d = nesterov ? f(gi + f(mu * bi)) : bi;
        h[pi0 + i] = pi - f(lr * d);
      }
    },

    adam(p, g, m, v, vmax, n, sign, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad) {
      const h = heap.f32;
      const pi0 = p >>> 2, gi0 = g >>> 2, mi0 = m >>> 2, vi0 = v >>> 2, xi0 = vmax >>> 2;
      sign = f(sign); weightDecay = f(weightDecay); decay = f(decay);
      beta1 = f(beta1); c1 = f(c1); beta2 = f(beta2); c2 = f(c2); stepSize = f(stepSize); epsHat = f(epsHat);
      for (let i = 0; i < n; i++) {
        const pi = h[pi0 + i];
        const gi = f(f(sign * h[gi0 + i]) + f(weightDecay * pi));
        const mi = f(f(beta1 * h[mi0 + i]) + f(c1 * gi));
        let vi = f(f(beta2 * h[vi0 + i]) + f(c2 * f(gi * gi)));
        h[mi0 + i] = mi;
        h[vi0 + i] = vi;
        if (amsgrad) {
          vi = Math.max(h[xi0 + i], vi);
          h[xi0 + i] = vi;
        }
        const update = f(f(stepSize * mi) / f(f(Math.sqrt(vi)) + epsHat));
        h[pi0 + i] = f(decay * pi) - update;
      }
    },
  };
}
