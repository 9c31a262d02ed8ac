import type { ScheduleFreeAdamWOptions, ScheduleFreeSGDOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

export type ScheduleFreeReference = Reference & {
  weightSum(): number;
  lrMax(): number;
  /** x = y + (1 − 1/β)·(z − y), what eval() puts in the parameters. */
  average(p: Float64Array): Float64Array;
};

/**
 * facebookresearch/schedulefree's SGDScheduleFree (adam = false) and AdamWScheduleFree (adam = true,
 * inner_momentum 0), non-closure versions, in float64 and in plain form, written from the paper's
 * update (Defazio et al., 2024) as that code schedules it: at step t = k + 1,
 * lr_t = lr·min(1, t/warmup), lrMax = max(lrMax, lr_t), w = t^r·lrMax^power, c = w/Σw;
 * d = g + wd·y (SGD) or g/(√(v/(1 − β2ᵗ)) + eps) + wd·y (AdamW);
 * y ← y + c·(z − y) + lr_t·(β(1 − c) − 1)·d;  z ← z − lr_t·d;  z = y before the first step.
 */
export function scheduleFreeReference(n: number, o: Partial<ScheduleFreeSGDOptions & ScheduleFreeAdamWOptions>, adam: boolean): ScheduleFreeReference {
  const { weightDecay = 0, warmupSteps = 0, r = 0, weightLrPower = 2, beta2 = 0.999, eps = 1e-8 } = o;
  const lr0 = o.lr ?? (adam ? 0.0025 : 1);
  const beta = (adam ? o.beta1 : o.momentum) ?? 0.9;
  const z = new Float64Array(n), v = new Float64Array(n);
  let weightSum = 0, lrMax = -1;
  return {
    state: adam ? { z, expAvgSq: v } : { z },
    weightSum: () => weightSum,
    lrMax: () => lrMax,
    average: (p) => p.map((y, i) => y + (1 - 1 / beta) * (z[i] - y)),
    step(t, p, g) {
      const lr = lr0 * (t - 1 < warmupSteps ? t / warmupSteps : 1);
      lrMax = Math.max(lrMax, lr);
      const weight = t ** r * lrMax ** weightLrPower;
      weightSum += weight;
      const c = weightSum === 0 ? 0 : weight / weightSum;
      if (t === 1) z.set(p);
      for (let i = 0; i < n; i++) {
        let d = g[i];
        if (adam) {
          v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
          d = g[i] / (Math.sqrt(v[i] / (1 - beta2 ** t)) + eps);
        }
        d += weightDecay * p[i];
        p[i] = p[i] + c * (z[i] - p[i]) + lr * (beta * (1 - c) - 1) * d;
        z[i] -= lr * d;
      }
    },
  };
}
