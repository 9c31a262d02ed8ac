import type { AdamOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/**
 * torch.optim.Adam / AdamW, written from Algorithm 1 of Kingma & Ba with PyTorch's placement of
 * eps (outside the square root, after bias-correcting v) and its weight decay, in float64.
 * With epsHat, Keras's update instead (keras/src/optimizers/adam.py):
 * α_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), θ ← θ − α_t·m/(√v + ε).
 */
export function adamReference(n: number, o: Partial<AdamOptions>, decoupled: boolean): Reference {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, epsHat = false, amsgrad = false, maximize = false } = o;
  const weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  const m = new Float64Array(n), v = new Float64Array(n), vmax = new Float64Array(n);
  const state: Record<string, Float64Array> = { expAvg: m, expAvgSq: v };
  if (amsgrad) state.maxExpAvgSq = vmax;
  return {
    state,
    step(t, p, g) {
      const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        let gi = maximize ? -g[i] : g[i];
        if (decoupled) p[i] *= 1 - lr * weightDecay;
        else gi += weightDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        vmax[i] = Math.max(vmax[i], v[i]);
        const root = Math.sqrt(amsgrad ? vmax[i] : v[i]);
        if (epsHat) p[i] -= ((lr * Math.sqrt(bc2)) / bc1) * (m[i] / (root + eps));
        else p[i] -= (lr / bc1) * (m[i] / (root / Math.sqrt(bc2) + eps));
      }
    },
  };
}
