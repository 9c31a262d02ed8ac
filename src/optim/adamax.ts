import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { adamFamilyRules } from "./adamRules.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type AdamaxOptions = {
  /** Learning rate η (default 2e-3, as torch.optim.Adamax). */
  lr: number;
  /** Decay of the first moment, β1 in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the infinity norm, β2 in [0, 1) (default 0.999). */
  beta2: number;
  /** Keeps the denominator away from zero (default 1e-8; TF.js and Keras use 1e-7). */
  eps: number;
  /**
   * true (PyTorch, Optax): u ← max(β2·u, |g| + ε), θ ← θ − … m / u.
   * false (TF.js, Keras): u ← max(β2·u, |g|), θ ← θ − … m / (u + ε).
   */
  epsInsideMax: boolean;
  /** Inverse-time decay, TF.js's `decay`: step t uses η / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient: g + wd·θ (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const ADAMAX_SPEC: OptimizerSpec<AdamaxOptions> = {
  bfloat16: true,
  int8: true,
  kind: "Adamax",
  rules: {
    lr: num(2e-3, { min: 0 }),
    ...adamFamilyRules,
    epsInsideMax: bool(true),
    lrDecay: num(0, { min: 0 }),
  },
  slots: ["expAvg", "expInf"],
  nonNegativeSlots: ["expInf"],
};

/** What `getState` returns for Adamax. */
export type AdamaxState = { step: number; expAvg: Float32Array; expInf: Float32Array };

/**
 * Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015, section 7.1, Algorithm 2), with
 * torch.optim.Adamax's formula and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (sign − when maximize) and η_t = η / (1 + (t − 1)·lrDecay):
 *   m ← β1·m + (1 − β1)·g'
 *   u ← max(β2·u, |g'| + ε)
 *   θ ← θ − η_t / (1 − β1ᵗ) · m / u
 * u needs no bias correction. With `epsInsideMax: false`, u ← max(β2·u, |g'|) and the last line
 * divides by u + ε instead.
 *
 * Other frameworks:
 * - PyTorch `Adamax(lr, betas, eps, weight_decay, maximize)`: the defaults.
 * - Optax `adamax(learning_rate, b1, b2, eps)`: the defaults (ε inside the max), lr as given.
 * - TF.js `tf.train.adamax(lr, beta1, beta2, epsilon, decay)`:
 *   `{ lr, beta1, beta2, eps: epsilon ?? 1e-7, epsInsideMax: false, lrDecay: decay }`
 *   (TF.js's default ε is its backend epsilon, 1e-7 in float32).
 * - Keras `Adamax` (default learning_rate 1e-3, epsilon 1e-7): `{ lr, eps: 1e-7, epsInsideMax: false }`.
 *
 * State: `expAvg` (m) and `expInf` (u).
 */
export class Adamax extends ElementwiseOptimizer<AdamaxOptions, AdamaxState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdamaxOptions>[], options: ElementwiseOptions<AdamaxOptions> = {}) {
    super(ADAMAX_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<AdamaxOptions>, layout: SlotsLayout): void {
    const { beta1, eps } = group;
    const t = layout.step;
    const lr = group.lr / (1 + (t - 1) * group.lrDecay);
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize), wd = group.weightDecay, beta2 = group.beta2;
    const epsIn = group.epsInsideMax ? eps : 0, epsOut = group.epsInsideMax ? 0 : eps, stepSize = lr / (1 - Math.pow(beta1, t));
    const r = this.rounding;
    if (int8Scratch !== null) {
      kernels.adamaxInt8(data, grad, s[0], scalesOf(layout, 0), s[1], scalesOf(layout, 1), int8Scratch.offset, n, gScale, wd, beta1, 1 - beta1, beta2, epsIn, epsOut, stepSize);
    } else if (r === null) kernels.adamax(data, grad, s[0], s[1], n, gScale, wd, beta1, 1 - beta1, beta2, epsIn, epsOut, stepSize);
    else kernels.adamaxBf16(data, grad, s[0], s[1], n, gScale, wd, beta1, 1 - beta1, beta2, epsIn, epsOut, stepSize, r.stochastic, r.key, data);
  }
}
