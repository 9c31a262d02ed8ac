import type { RAdamOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";
import { updateMoments } from "./adamMoments.js";

/**
 * torch.optim.RAdam in float64, written from Algorithm 2 of Liu et al. with PyTorch's threshold
 * (ρ_t > 5) and ε placement (√v + ε, then ×√(1 − β2ᵗ)), or Optax's (√v̂ + ε) with epsAfterCorrection.
 */
export function radamReference(n: number, options: Partial<RAdamOptions>): Reference {
  const o = {
    lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, epsAfterCorrection: false,
    weightDecay: 0, decoupledWeightDecay: false, maximize: false, ...options,
  };
  const { lr, beta1, beta2, eps } = o;
  const m = new Float64Array(n), v = new Float64Array(n);
  const rhoInf = 2 / (1 - beta2) - 1;
  return {
    state: { expAvg: m, expAvgSq: v },
    step(t, p, g) {
      const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      for (let i = 0; i < n; i++) {
        updateMoments(o, i, p, g, m, v);
        const mHat = m[i] / bc1;
        if (rhoT <= 5) p[i] -= lr * mHat;
        else if (o.epsAfterCorrection) p[i] -= (lr * rect * mHat) / (Math.sqrt(v[i] / bc2) + eps);
        else p[i] -= lr * rect * mHat * (Math.sqrt(bc2) / (Math.sqrt(v[i]) + eps));
      }
    },
  };
}
