import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { beta, bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type LionOptions = {
  /** Learning rate η (default 1e-4; Lion wants an η 3–10× smaller than AdamW's). */
  lr: number;
  /** Weight of the momentum in the update direction, β1 in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the momentum, β2 in [0, 1) (default 0.99). */
  beta2: number;
  /** Decoupled weight decay λ: θ ← θ·(1 − η·λ) (default 0; Optax uses 1e-3). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const LION_SPEC: OptimizerSpec<LionOptions> = {
  bfloat16: true,
  int8: true,
  kind: "Lion",
  rules: {
    lr: num(1e-4, { min: 0 }),
    beta1: beta(0.9),
    beta2: beta(0.99),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
  },
  slots: ["expAvg"],
};

/** What `getState` returns for Lion. */
export type LionState = { step: number; expAvg: Float32Array };

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al., 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2). One state buffer instead of Adam's two, and every step moves each
 * weight by exactly ±η (plus weight decay).
 *
 * At each step, with g' = ±g (sign − when maximize):
 *   c ← β1·m + (1 − β1)·g'
 *   θ ← θ·(1 − η·λ) − η·sign(c)          (sign(0) = 0: a weight with c = 0 only decays)
 *   m ← β2·m + (1 − β2)·g'
 *
 * torch.optim has no Lion; the defaults are the paper's and those of its reference PyTorch code
 * (lr 1e-4, betas 0.9/0.99, weight decay 0). Other frameworks:
 * - Optax `lion(learning_rate, b1, b2, weight_decay=1e-3)`: `{ lr, beta1: b1, beta2: b2, weightDecay: 1e-3 }`.
 * - Keras `Lion` (default learning_rate 1e-3, weight_decay None): `{ lr: 1e-3 }`, plus `weightDecay`
 *   when set (Keras decays decoupled, θ ← θ − η·λ·θ, as here).
 * - TF.js has no Lion.
 *
 * State: `expAvg` (m).
 */
export class Lion extends ElementwiseOptimizer<LionOptions, LionState> {
  constructor(params: readonly Param[] | readonly GroupInput<LionOptions>[], options: ElementwiseOptions<LionOptions> = {}) {
    super(LION_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<LionOptions>, layout: SlotsLayout): void {
    const { lr, beta1, beta2 } = group;
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize), decay = 1 - lr * group.weightDecay;
    const r = this.rounding;
    if (int8Scratch !== null) kernels.lionInt8(data, grad, s[0], scalesOf(layout, 0), int8Scratch.offset, n, gScale, decay, lr, beta1, 1 - beta1, beta2, 1 - beta2);
    else if (r === null) kernels.lion(data, grad, s[0], n, gScale, decay, lr, beta1, 1 - beta1, beta2, 1 - beta2);
    else kernels.lionBf16(data, grad, s[0], n, gScale, decay, lr, beta1, 1 - beta1, beta2, 1 - beta2, r.stochastic, r.key, data);
  }
}
