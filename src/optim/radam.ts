import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { adamFamilyRules } from "./adamRules.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { nadamKernel } from "./nadam.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type RAdamOptions = {
  /** Learning rate η (default 1e-3, as torch.optim.RAdam). */
  lr: number;
  /** Decay of the first moment, β1 in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, β2 in [0, 1) (default 0.999). */
  beta2: number;
  /** Keeps the denominator away from zero (default 1e-8). */
  eps: number;
  /**
   * false (PyTorch): the adaptive term is √(1 − β2ᵗ) / (√v + ε), ε added before the bias correction.
   * true (Optax, TF Addons): 1 / (√v̂ + ε) with v̂ = v / (1 − β2ᵗ), as in Adam.
   */
  epsAfterCorrection: boolean;
  /** Weight decay: L2 (added to the gradient), or decoupled with `decoupledWeightDecay` (default 0). */
  weightDecay: number;
  /** θ ← θ·(1 − η·weightDecay) instead of adding weightDecay·θ to the gradient (as AdamW). */
  decoupledWeightDecay: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const RADAM_SPEC: OptimizerSpec<RAdamOptions> = {
  bfloat16: true,
  int8: true,
  kind: "RAdam",
  rules: {
    lr: num(1e-3, { min: 0 }),
    ...adamFamilyRules,
    epsAfterCorrection: bool(false),
    decoupledWeightDecay: bool(false),
  },
  slots: ["expAvg", "expAvgSq"],
  nonNegativeSlots: ["expAvgSq"],
};

/** RAdam switches from the momentum-only step to the rectified adaptive step once ρ_t exceeds this (PyTorch). */
const RHO_THRESHOLD = 5;

/** What `getState` returns for RAdam. */
export type RAdamState = { step: number; expAvg: Float32Array; expAvgSq: Float32Array };

/**
 * RAdam, Rectified Adam (Liu et al., 2020, "On the Variance of the Adaptive Learning Rate and
 * Beyond", Algorithm 2), with torch.optim.RAdam's formula, threshold and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (L2; sign − when maximize), ρ∞ = 2/(1 − β2) − 1 and
 * ρ_t = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ):
 *   m ← β1·m + (1 − β1)·g'          v ← β2·v + (1 − β2)·g'²          m̂ = m / (1 − β1ᵗ)
 *   if ρ_t > 5:  r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *                θ ← θ − η·r_t·m̂·√(1 − β2ᵗ) / (√v + ε)
 *   otherwise:   θ ← θ − η·m̂           (SGD with momentum while v is too noisy to trust)
 * With the default β2 = 0.999 the first five steps are un-adapted. With `decoupledWeightDecay`,
 * θ ← θ·(1 − η·weightDecay) first and g' = ±g.
 *
 * Other frameworks:
 * - PyTorch `RAdam(lr, betas, eps, weight_decay, decoupled_weight_decay, maximize)`: the defaults.
 * - Optax `radam(learning_rate, b1, b2, eps)`: `{ lr, epsAfterCorrection: true }`. Optax switches at
 *   ρ_t ≥ 5 rather than > 5; ρ_t is never exactly 5 for the β2 values in use.
 * - TF Addons `RectifiedAdam` (without its warm-up / min_lr options): `{ lr, eps: 1e-7, epsAfterCorrection: true }`.
 * - TF.js and Keras 3 have no RAdam.
 *
 * State: `expAvg`, `expAvgSq`.
 */
export class RAdam extends ElementwiseOptimizer<RAdamOptions, RAdamState> {
  constructor(params: readonly Param[] | readonly GroupInput<RAdamOptions>[], options: ElementwiseOptions<RAdamOptions> = {}) {
    super(RADAM_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<RAdamOptions>, layout: SlotsLayout): void {
    const { lr, beta1, beta2, eps, weightDecay } = group;
    const t = layout.step;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2 = 1 - Math.pow(beta2, t);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * Math.pow(beta2, t)) / bc2;
    const rectified = rhoT > RHO_THRESHOLD;
    let stepSize = lr / bc1;
    if (rectified) {
      const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      stepSize *= r * Math.sqrt(bc2);
    }
    const epsHat = group.epsAfterCorrection ? eps * Math.sqrt(bc2) : eps;
    const decoupled = group.decoupledWeightDecay;
    // RAdam's update is NAdam's kernel without its gradient term, adaptive only once rectified.
    nadamKernel(kernels, layout, this.rounding, this.gScale(group.maximize), decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1, beta1, beta2, 0, stepSize, epsHat, rectified);
  }
}
