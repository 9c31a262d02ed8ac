import type { NAdamOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";
import { updateMoments } from "./adamMoments.js";

/**
 * torch.optim.NAdam in float64, written from its documented algorithm: Dozat's momentum schedule
 * μ_t = β1(1 − ½·0.96^(tψ)) (or μ_t = β1, Optax's form), the running product of μ, two Nesterov
 * terms over √(v / (1 − β2ᵗ)) + ε, and L2 or decoupled weight decay.
 */
export function nadamReference(n: number, options: Partial<NAdamOptions>): Reference & { muProduct(): number } {
  const o = {
    lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3,
    momentumWarmup: true, decoupledWeightDecay: false, maximize: false, ...options,
  };
  const { lr, beta1, beta2, eps } = o;
  const m = new Float64Array(n), v = new Float64Array(n);
  const muAt = (t: number) => (o.momentumWarmup ? beta1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay)) : beta1);
  let muProduct = 1;
  return {
    state: { expAvg: m, expAvgSq: v },
    muProduct: () => muProduct,
    step(t, p, g) {
      const mu = muAt(t), muNext = muAt(t + 1);
      muProduct *= mu;
      const bc2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        const gi = updateMoments(o, i, p, g, m, v);
        const denom = Math.sqrt(v[i] / bc2) + eps;
        p[i] -= (lr * (1 - mu)) / (1 - muProduct) * (gi / denom);
        p[i] -= (lr * muNext) / (1 - muProduct * muNext) * (m[i] / denom);
      }
    },
  };
}
