import type { ASGDOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/**
 * torch.optim.ASGD in float64, written from its documented update (torch 1.13 _single_tensor_asgd):
 * θ ← θ·(1 − λη) − η·(g + wd·θ); ax ← θ while μ = 1, else ax ← ax + μ·(θ − ax); then
 * η ← lr/(1 + λ·lr·t)^α and μ ← 1/max(1, t − t0) for the next step.
 */
export function asgdReference(n: number, o: Partial<ASGDOptions>): Reference & { eta(): number; mu(): number } {
  const { lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0, maximize = false } = o;
  const ax = new Float64Array(n);
  let eta = lr, mu = 1;
  return {
    state: { ax },
    eta: () => eta,
    mu: () => mu,
    step(t, p, g) {
      for (let i = 0; i < n; i++) {
        const gi = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        p[i] = p[i] * (1 - lambd * eta) - eta * gi;
        ax[i] = mu === 1 ? p[i] : ax[i] + mu * (p[i] - ax[i]);
      }
      eta = lr / (1 + lambd * lr * t) ** alpha;
      mu = 1 / Math.max(1, t - t0);
    },
  };
}
