import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { adamFamilyRules } from "./adamRules.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type BF16Rounding, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type NAdamOptions = {
  /** Learning rate η (default 2e-3, as torch.optim.NAdam). */
  lr: number;
  /** Decay of the first moment, β1 in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, β2 in [0, 1) (default 0.999). */
  beta2: number;
  /** Added to √v̂, outside the square root as in PyTorch, Keras and Optax (default 1e-8; Keras uses 1e-7). */
  eps: number;
  /** Weight decay: L2 (added to the gradient), or decoupled with `decoupledWeightDecay` (default 0). */
  weightDecay: number;
  /** ψ of the momentum warm-up μ_t = β1·(1 − ½·0.96^(t·ψ)) (default 4e-3; Keras 3 uses 1). */
  momentumDecay: number;
  /** true (PyTorch, Keras): μ_t follows the warm-up above. false (Optax `nadam`): μ_t = β1 on every step. */
  momentumWarmup: boolean;
  /** θ ← θ·(1 − η·weightDecay) instead of adding weightDecay·θ to the gradient (PyTorch's NAdamW). */
  decoupledWeightDecay: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const NADAM_SPEC: OptimizerSpec<NAdamOptions> = {
  bfloat16: true,
  int8: true,
  kind: "NAdam",
  rules: {
    lr: num(2e-3, { min: 0 }),
    ...adamFamilyRules,
    momentumDecay: num(4e-3, { min: 0 }),
    momentumWarmup: bool(true),
    decoupledWeightDecay: bool(false),
  },
  slots: ["expAvg", "expAvgSq"],
  nonNegativeSlots: ["expAvgSq"],
  // Π_t = μ_1·…·μ_t, the running product of one param group, in float64 (1 before any step).
  scalars: ["muProduct"],
  rebuildScalars: (group, step) => [muProductAfter(group, step)],
  // A product of momentum coefficients in [0, 1).
  checkScalar: (_, value) => (value >= 0 && value <= 1 ? undefined : "in [0, 1]"),
};

/**
 * Steps a version-1 state's Π is rebuilt one by one (bounded, so a crafted step count costs little).
 * Past them the rebuild is approximate: μ_t still differs from β1 by ½·0.96^(t·ψ) relative (8e-8 at
 * the default ψ and t = 10⁵), but Π is below 1e-43 there for any β1 ≤ 0.999, so 1 − Π, all the
 * update uses, is exactly 1 either way.
 */
const REBUILD_STEPS = 100_000;

/** What `getState` returns for NAdam. */
export type NAdamState = { step: number; expAvg: Float32Array; expAvgSq: Float32Array; muProduct: number };

/**
 * NAdam: Adam with Nesterov momentum (Dozat, 2016, "Incorporating Nesterov Momentum into Adam"),
 * with torch.optim.NAdam's formula, momentum schedule and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (L2; sign − when maximize),
 * μ_t = β1·(1 − ½·0.96^(t·ψ)) and the running product Π_t = μ_1·…·μ_t:
 *   m ← β1·m + (1 − β1)·g'          v ← β2·v + (1 − β2)·g'²
 *   θ ← θ − η·[(1 − μ_t)/(1 − Π_t)·g' + μ_{t+1}/(1 − Π_t·μ_{t+1})·m] / (√(v / (1 − β2ᵗ)) + ε)
 * The scalars are computed once per step in float64; the kernel applies them with one division.
 * With `decoupledWeightDecay`, θ ← θ·(1 − η·weightDecay) first and g' = ±g.
 *
 * Other frameworks:
 * - PyTorch `NAdam(lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize)`: the defaults.
 * - Keras 3 `Nadam` (default learning_rate 1e-3, epsilon 1e-7) schedules μ_t = β1·(1 − ½·0.96ᵗ):
 *   `{ lr, eps: 1e-7, momentumDecay: 1 }`.
 * - Optax `nadam` (= `adam(..., nesterov=True)`) keeps μ_t = β1: `{ lr, momentumWarmup: false }`.
 * - TF.js has no NAdam.
 *
 * State: `expAvg`, `expAvgSq`, and `muProduct` (Π_t, a float64 number per param group, saved
 * and loaded with the state).
 */
export class NAdam extends ElementwiseOptimizer<NAdamOptions, NAdamState> {
  constructor(params: readonly Param[] | readonly GroupInput<NAdamOptions>[], options: ElementwiseOptions<NAdamOptions> = {}) {
    super(NADAM_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<NAdamOptions>, layout: SlotsLayout): void {
    const { lr, beta1, beta2, eps, weightDecay } = group;
    const t = layout.step;
    const mu = momentumAt(group, t);
    const muNext = momentumAt(group, t + 1);
    const product = layout.scalars[0] * mu;
    layout.scalars[0] = product;
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
    const decoupled = group.decoupledWeightDecay;
    const gCoef = ((lr * (1 - mu)) / (1 - product)) * sqrtBc2, mCoef = ((lr * muNext) / (1 - product * muNext)) * sqrtBc2;
    nadamKernel(kernels, layout, this.rounding, this.gScale(group.maximize), decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1, beta1, beta2, gCoef, mCoef, eps * sqrtBc2, true);
  }
}

/** μ_t, the momentum coefficient of step t. */
function momentumAt(group: NAdamOptions, t: number): number {
  return group.momentumWarmup ? group.beta1 * (1 - 0.5 * Math.pow(0.96, t * group.momentumDecay)) : group.beta1;
}

/**
 * Π after `step` steps, for states saved before Π was (format version 1): the product itself up
 * to REBUILD_STEPS (exact unless β1 or ψ changed during training), then one power of μ_step.
 */
function muProductAfter(group: NAdamOptions, step: number): number {
  const exact = Math.min(step, REBUILD_STEPS);
  let value = 1;
  for (let t = 1; t <= exact && value !== 0; t++) value *= momentumAt(group, t);
  if (step > exact && value !== 0) value *= Math.pow(momentumAt(group, step), step - exact);
  return value;
}

/** NAdam's kernel (RAdam's too) over the group's state in its storage type. */
export function nadamKernel(
  kernels: Kernels, layout: SlotsLayout, r: BF16Rounding | null,
  gScale: number, wd: number, decay: number, beta1: number, beta2: number, gCoef: number, mCoef: number, epsHat: number, adaptive: boolean,
): void {
  const { data, grad, n, slots: s, int8Scratch } = layout;
  if (int8Scratch !== null) {
    kernels.nadamInt8(data, grad, s[0], scalesOf(layout, 0), s[1], scalesOf(layout, 1), int8Scratch.offset, n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, gCoef, mCoef, epsHat, adaptive);
  } else if (r === null) kernels.nadam(data, grad, s[0], s[1], n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, gCoef, mCoef, epsHat, adaptive);
  else kernels.nadamBf16(data, grad, s[0], s[1], n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, gCoef, mCoef, epsHat, adaptive, r.stochastic, r.key, data);
}
