import type { RpropOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/** torch.optim.Rprop's documented algorithm in float64. */
export function rpropReference(n: number, o: Partial<RpropOptions>): Reference {
  const { lr = 1e-2, etaMinus = 0.5, etaPlus = 1.2, stepSizeMin = 1e-6, stepSizeMax = 50, maximize = false } = o;
  const prev = new Float64Array(n), stepSize = new Float64Array(n).fill(lr);
  return {
    state: { prev, stepSize },
    step(_t, p, g) {
      for (let i = 0; i < n; i++) {
        let gi = maximize ? -g[i] : g[i];
        const s = Math.sign(gi * prev[i]);
        const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1;
        stepSize[i] = Math.min(Math.max(stepSize[i] * factor, stepSizeMin), stepSizeMax);
        if (s < 0) gi = 0;
        p[i] -= Math.sign(gi) * stepSize[i];
        prev[i] = gi;
      }
    },
  };
}
