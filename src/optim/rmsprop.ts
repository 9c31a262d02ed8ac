import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type RMSpropOptions = {
  /** Learning rate η (default 1e-2, as torch.optim.RMSprop). */
  lr: number;
  /** Decay α of the mean square, in [0, 1] (default 0.99; TF.js calls it decay, Keras rho, both 0.9). */
  alpha: number;
  /** Added to the denominator (default 1e-8; TF.js and Keras use 1e-7). */
  eps: number;
  /** false (PyTorch): √v + ε.  true (TF.js, Keras, Optax): √(v + ε). */
  epsInsideSqrt: boolean;
  /** Momentum factor μ in [0, 1) (default 0). */
  momentum: number;
  /** Divide by an estimate of the gradient's variance, v − (E[g])², instead of v (default false). */
  centered: boolean;
  /** L2 penalty added to the gradient: g + wd·θ (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const RMSPROP_SPEC: OptimizerSpec<RMSpropOptions> = {
  bfloat16: true,
  int8: true,
  kind: "RMSprop",
  rules: {
    lr: num(1e-2, { min: 0 }),
    alpha: num(0.99, { min: 0, max: 1 }),
    eps: num(1e-8, { min: 0, minOpen: true }),
    epsInsideSqrt: bool(false),
    momentum: num(0, { min: 0, max: 1, maxOpen: true }),
    centered: bool(false),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
  },
  slots: ["squareAvg", "momentumBuffer", "gradAvg"],
  nonNegativeSlots: ["squareAvg"],
  slotActive: (group, k) => k === 0 || (k === 1 ? group.momentum > 0 : group.centered),
};

/** What `getState` returns for RMSprop (optional buffers: `momentumBuffer` while momentum > 0, `gradAvg` when centered.). */
export type RMSpropState = { step: number; squareAvg: Float32Array; momentumBuffer?: Float32Array; gradAvg?: Float32Array };

/**
 * RMSprop (Hinton's lecture 6e; centered form from Graves, 2013) with torch.optim.RMSprop's
 * formula and defaults.
 *
 * With g' = ±g + weightDecay·θ (sign − when maximize):
 *   v ← α·v + (1 − α)·g'²
 *   (centered) a ← α·a + (1 − α)·g', and v − a² replaces v below
 *   d = √v + ε, or √(v + ε) with epsInsideSqrt
 *   momentum > 0: b ← μ·b + g'/d, θ ← θ − η·b;   else θ ← θ − η·g'/d
 *
 * Other frameworks:
 * - TF.js `tf.train.rmsprop(lr, decay = 0.9, momentum, eps, centered)`:
 *   `{ lr, alpha: decay, momentum, centered, eps: eps ?? 1e-7, epsInsideSqrt: true }`.
 *   TF.js keeps η inside its momentum buffer (b_tfjs = η·b), which gives the same parameters while
 *   η is constant; after an lr change PyTorch's form applies the new η to the whole buffer at once.
 *   Centered TF.js computes √(v − a² − ε), a sign slip we do not copy: we use √(v − a² + ε).
 * - Keras `RMSprop(rho = 0.9, epsilon = 1e-7)`: `{ alpha: rho, eps: 1e-7, epsInsideSqrt: true }`
 *   (η inside the buffer as TF.js).
 * - Optax `rmsprop(decay = 0.9, eps = 1e-8, centered, momentum)`: `{ alpha: decay, eps, centered, momentum,
 *   epsInsideSqrt: true }` (η inside the momentum buffer as TF.js; Optax's `initial_scale` must be 0).
 *
 * State: `squareAvg`, `momentumBuffer` (momentum > 0), `gradAvg` (centered).
 */
export class RMSprop extends ElementwiseOptimizer<RMSpropOptions, RMSpropState> {
  constructor(params: readonly Param[] | readonly GroupInput<RMSpropOptions>[], options: ElementwiseOptions<RMSpropOptions> = {}) {
    super(RMSPROP_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<RMSpropOptions>, layout: SlotsLayout): void {
    const { lr, alpha, eps, momentum, weightDecay, centered } = group;
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize), epsIn = group.epsInsideSqrt ? eps : 0, epsOut = group.epsInsideSqrt ? 0 : eps;
    const r = this.rounding;
    if (int8Scratch !== null) {
      kernels.rmspropInt8(data, grad, s[0], scalesOf(layout, 0), s[1], scalesOf(layout, 1), s[2], scalesOf(layout, 2), int8Scratch.offset, n,
        lr, gScale, weightDecay, alpha, 1 - alpha, momentum, epsIn, epsOut, momentum > 0, centered);
    } else if (r === null) kernels.rmsprop(data, grad, s[0], s[1], s[2], n, lr, gScale, weightDecay, alpha, 1 - alpha, momentum, epsIn, epsOut, momentum > 0, centered);
    else kernels.rmspropBf16(data, grad, s[0], s[1], s[2], n, lr, gScale, weightDecay, alpha, 1 - alpha, momentum, epsIn, epsOut, momentum > 0, centered, r.stochastic, r.key, data);
  }
}
