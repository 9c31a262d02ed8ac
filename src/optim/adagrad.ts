import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type AdagradOptions = {
  /** Learning rate η (default 1e-2, as torch.optim.Adagrad). */
  lr: number;
  /** PyTorch's lr_decay: step t uses η / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient: g + wd·θ (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squares (default 0; TF.js, Keras and Optax use 0.1). */
  initialAccumulatorValue: number;
  /** Added to the denominator (default 1e-10; TF.js, Keras and Optax use 1e-7). */
  eps: number;
  /** false (PyTorch): √s + ε.  true (TF.js, Keras 3, Optax): √(s + ε). */
  epsInsideSqrt: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const ADAGRAD_SPEC: OptimizerSpec<AdagradOptions> = {
  bfloat16: true,
  int8: true,
  kind: "Adagrad",
  rules: {
    lr: num(1e-2, { min: 0 }),
    lrDecay: num(0, { min: 0 }),
    weightDecay: num(0, { min: 0 }),
    initialAccumulatorValue: num(0, { min: 0 }),
    eps: num(1e-10, { min: 0, minOpen: true }),
    epsInsideSqrt: bool(false),
    maximize: bool(false),
  },
  slots: ["sum"],
  nonNegativeSlots: ["sum"],
  initAtConstruction: true,
  slotInit: (group) => group.initialAccumulatorValue,
};

/** What `getState` returns for Adagrad. */
export type AdagradState = { step: number; sum: Float32Array };

/**
 * Adagrad (Duchi et al., 2011) with torch.optim.Adagrad's formula and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (sign − when maximize) and η_t = η / (1 + (t − 1)·lrDecay):
 *   s ← s + g'²            (s starts at initialAccumulatorValue)
 *   θ ← θ − η_t·g' / (√s + ε)          or, with epsInsideSqrt, θ ← θ − η_t·g' / √(s + ε)
 *
 * Other frameworks:
 * - TF.js `tf.train.adagrad(lr, 0.1)`: `{ lr, initialAccumulatorValue: 0.1, eps: 1e-7, epsInsideSqrt: true }`
 *   (TF.js's ε is its backend epsilon, 1e-7 in float32).
 * - Keras 3 `Adagrad`: the same, with Keras's lr (default 1e-3). Keras 2 (`optimizer_v2`) put ε
 *   outside the root: `epsInsideSqrt: false, eps: 1e-7, initialAccumulatorValue: 0.1`.
 * - Optax `adagrad`: `{ initialAccumulatorValue: 0.1, eps: 1e-7, epsInsideSqrt: true }`.
 *
 * The accumulator starts at initialAccumulatorValue when the optimizer first steps; changing the
 * option later does not reset it. State: `sum`.
 */
export class Adagrad extends ElementwiseOptimizer<AdagradOptions, AdagradState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdagradOptions>[], options: ElementwiseOptions<AdagradOptions> = {}) {
    super(ADAGRAD_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<AdagradOptions>, layout: SlotsLayout): void {
    const lr = group.lr / (1 + (layout.step - 1) * group.lrDecay);
    const epsIn = group.epsInsideSqrt ? group.eps : 0;
    const epsOut = group.epsInsideSqrt ? 0 : group.eps;
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize), wd = group.weightDecay;
    const r = this.rounding;
    if (int8Scratch !== null) kernels.adagradInt8(data, grad, s[0], scalesOf(layout, 0), int8Scratch.offset, n, lr, gScale, wd, epsIn, epsOut);
    else if (r === null) kernels.adagrad(data, grad, s[0], n, lr, gScale, wd, epsIn, epsOut);
    else kernels.adagradBf16(data, grad, s[0], n, lr, gScale, wd, epsIn, epsOut, r.stochastic, r.key, data);
  }
}
