import type { AdamaxOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/**
 * torch.optim.Adamax in float64, from Algorithm 2 of Kingma & Ba with PyTorch's ε inside the max,
 * its L2 weight decay, and TF.js's placement of ε and inverse-time lr decay as the options say.
 */
export function adamaxReference(n: number, o: Partial<AdamaxOptions>): Reference {
  const { lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, epsInsideMax = true, lrDecay = 0, weightDecay = 0, maximize = false } = o;
  const m = new Float64Array(n), u = new Float64Array(n);
  return {
    state: { expAvg: m, expInf: u },
    step(t, p, g) {
      const clr = lr / (1 + (t - 1) * lrDecay) / (1 - beta1 ** t);
      for (let i = 0; i < n; i++) {
        const gi = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        if (epsInsideMax) {
          u[i] = Math.max(beta2 * u[i], Math.abs(gi) + eps);
          p[i] -= (clr * m[i]) / u[i];
        } else {
          u[i] = Math.max(beta2 * u[i], Math.abs(gi));
          p[i] -= (clr * m[i]) / (u[i] + eps);
        }
      }
    },
  };
}
