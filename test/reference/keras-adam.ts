import type { AdamOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/**
 * Keras's Adam (keras/src/optimizers/adam.py, and optimizer_v2 before it), written from its update
 * in float64: α_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ);  θ ← θ − α_t·m/(√v + ε), ε being the paper's ε̂.
 * Weight decay and maximize as in our Adam (L2) and AdamW (decoupled), which Keras's lacks or differs on.
 */
export function kerasAdamReference(n: number, o: Partial<AdamOptions>, decoupled: boolean): Reference {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, amsgrad = false, maximize = false } = o;
  const weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  const m = new Float64Array(n), v = new Float64Array(n), vhat = new Float64Array(n);
  const state: Record<string, Float64Array> = { expAvg: m, expAvgSq: v };
  if (amsgrad) state.maxExpAvgSq = vhat;
  return {
    state,
    step(t, p, g) {
      const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < n; i++) {
        let gi = maximize ? -g[i] : g[i];
        if (decoupled) p[i] *= 1 - lr * weightDecay;
        else gi += weightDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        vhat[i] = Math.max(vhat[i], v[i]);
        p[i] -= (alpha * m[i]) / (Math.sqrt(amsgrad ? vhat[i] : v[i]) + eps);
      }
    },
  };
}
