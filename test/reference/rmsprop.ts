import type { RMSpropOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/** torch.optim.RMSprop's documented algorithm in float64, with ε inside the root when asked (TF.js/Keras/Optax). */
export function rmspropReference(n: number, o: Partial<RMSpropOptions>): Reference {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, epsInsideSqrt = false, momentum = 0, centered = false, weightDecay = 0, maximize = false } = o;
  const squareAvg = new Float64Array(n), momentumBuffer = new Float64Array(n), gradAvg = new Float64Array(n);
  const state: Record<string, Float64Array> = { squareAvg };
  if (momentum > 0) state.momentumBuffer = momentumBuffer;
  if (centered) state.gradAvg = gradAvg;
  return {
    state,
    step(_t, p, g) {
      for (let i = 0; i < n; i++) {
        const gi = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * gi * gi;
        let v = squareAvg[i];
        if (centered) {
          gradAvg[i] = alpha * gradAvg[i] + (1 - alpha) * gi;
          v -= gradAvg[i] * gradAvg[i];
        }
        const denom = epsInsideSqrt ? Math.sqrt(v + eps) : Math.sqrt(v) + eps;
        if (momentum > 0) {
          momentumBuffer[i] = momentum * momentumBuffer[i] + gi / denom;
          p[i] -= lr * momentumBuffer[i];
        } else {
          p[i] -= (lr * gi) / denom;
        }
      }
    },
  };
}
