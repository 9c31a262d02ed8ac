import type { LionOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/** Lion in float64, written from Algorithm 2 of Chen et al. (2023), decoupled weight decay. */
export function lionReference(n: number, o: Partial<LionOptions>): Reference {
  const { lr = 1e-4, beta1 = 0.9, beta2 = 0.99, weightDecay = 0, maximize = false } = o;
  const m = new Float64Array(n);
  return {
    state: { expAvg: m },
    step(_t, p, g) {
      for (let i = 0; i < n; i++) {
        const gi = maximize ? -g[i] : g[i];
        const c = beta1 * m[i] + (1 - beta1) * gi;
        p[i] = p[i] * (1 - lr * weightDecay) - lr * Math.sign(c);
        m[i] = beta2 * m[i] + (1 - beta2) * gi;
      }
    },
  };
}
