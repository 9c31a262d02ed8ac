import type { AdagradOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/** torch.optim.Adagrad's documented algorithm in float64, with ε inside the root when asked (TF.js/Optax). */
export function adagradReference(n: number, o: Partial<AdagradOptions>): Reference {
  const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, epsInsideSqrt = false, maximize = false } = o;
  const sum = new Float64Array(n).fill(initialAccumulatorValue);
  return {
    state: { sum },
    step(t, p, g) {
      const clr = lr / (1 + (t - 1) * lrDecay);
      for (let i = 0; i < n; i++) {
        const gi = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        sum[i] += gi * gi;
        const denom = epsInsideSqrt ? Math.sqrt(sum[i] + eps) : Math.sqrt(sum[i]) + eps;
        p[i] -= (clr * gi) / denom;
      }
    },
  };
}
