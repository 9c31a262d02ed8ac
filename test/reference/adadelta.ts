import type { AdadeltaOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/**
 * torch.optim.Adadelta's documented algorithm in float64; previousSquareAvg divides by E[g²] before
 * this step's update, as TF.js's AdadeltaOptimizer does.
 */
export function adadeltaReference(n: number, o: Partial<AdadeltaOptions>): Reference {
  const { lr = 1, rho = 0.9, eps = 1e-6, previousSquareAvg = false, weightDecay = 0, maximize = false } = o;
  const squareAvg = new Float64Array(n), accDelta = new Float64Array(n);
  return {
    state: { squareAvg, accDelta },
    step(_t, p, g) {
      for (let i = 0; i < n; i++) {
        const gi = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        const before = squareAvg[i];
        squareAvg[i] = rho * before + (1 - rho) * gi * gi;
        const std = Math.sqrt((previousSquareAvg ? before : squareAvg[i]) + eps);
        const delta = (Math.sqrt(accDelta[i] + eps) / std) * gi;
        accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
    },
  };
}
