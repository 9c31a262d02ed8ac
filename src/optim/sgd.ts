import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, invalid, num, oneOf } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type SGDOptions = {
  /** Learning rate η (default 1e-3, as torch.optim.SGD). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening of the gradient in the momentum buffer (default 0). */
  dampening: number;
  /** Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov: boolean;
  /** L2 penalty added to the gradient: g + wd·θ (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
  /**
   * "accumulate" (default, PyTorch): b ← μ·b + (1 − dampening)·g, with b = g on the first step.
   * "ema" (the exponential-moving-average form of the teaching notes, Keras-free):
   * b ← μ·b + (1 − μ)·g from b = 0, so the step size does not scale with 1/(1 − μ).
   */
  momentumForm: "accumulate" | "ema";
};

export const SGD_SPEC: OptimizerSpec<SGDOptions> = {
  bfloat16: true,
  int8: true,
  kind: "SGD",
  rules: {
    lr: num(1e-3, { min: 0 }),
    momentum: num(0, { min: 0, max: 1, maxOpen: true }),
    dampening: num(0, { min: 0, max: 1 }),
    nesterov: bool(false),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
    momentumForm: oneOf("accumulate", ["accumulate", "ema"] as const),
  },
  slots: ["momentumBuffer"],
  checkGroup(group, owner) {
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      invalid(owner, "nesterov", true, `momentum > 0 and dampening 0 (got momentum ${group.momentum}, dampening ${group.dampening})`);
    }
    if (group.momentumForm === "ema" && group.dampening !== 0) {
      invalid(owner, "dampening", group.dampening, `0 with momentumForm "ema" (its gradient weight is 1 − momentum)`);
    }
  },
  slotActive: (group) => group.momentum !== 0,
};

/** What `getState` returns for SGD (optional buffers: `momentumBuffer` while momentum ≠ 0.). */
export type SGDState = { step: number; momentumBuffer?: Float32Array };

/**
 * Stochastic gradient descent, with momentum and Nesterov momentum as torch.optim.SGD.
 *
 * Update (g' = ±g + weightDecay·θ, sign − when maximize):
 * - momentum 0: θ ← θ − η·g'
 * - "accumulate" (PyTorch): b ← g' on the first step, then b ← μ·b + (1 − dampening)·g';
 *   d = nesterov ? g' + μ·b : b;  θ ← θ − η·d
 * - "ema": b ← μ·b + (1 − μ)·g' from b = 0, then as above.
 *
 * Sutskever et al. and some frameworks write v ← μ·v − η·g, θ ← θ + v: with a constant lr this
 * equals the accumulating form with v = −η·b; PyTorch's form keeps the lr outside the buffer,
 * so an lr schedule changes the step at once.
 *
 * State: `momentumBuffer` (when momentum > 0).
 */
export class SGD extends ElementwiseOptimizer<SGDOptions, SGDState> {
  constructor(params: readonly Param[] | readonly GroupInput<SGDOptions>[], options: ElementwiseOptions<SGDOptions> = {}) {
    super(SGD_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<SGDOptions>, layout: SlotsLayout): void {
    const gScale = this.gScale(group.maximize);
    const mu = group.momentum;
    if (mu === 0) {
      kernels.sgd(layout.data, layout.grad, layout.n, group.lr, gScale, group.weightDecay);
      return;
    }
    const ema = group.momentumForm === "ema";
    const firstStep = (layout.fresh & 1) !== 0 && !ema;
    const bufDecay = firstStep ? 0 : mu;
    const bufGradScale = firstStep ? 1 : ema ? 1 - mu : 1 - group.dampening;
    const r = this.rounding;
    if (layout.int8Scratch !== null) {
      kernels.sgdMomentumInt8(layout.data, layout.grad, layout.slots[0], scalesOf(layout, 0), layout.int8Scratch.offset, layout.n, group.lr, gScale, group.weightDecay, bufDecay, bufGradScale, mu, group.nesterov);
    }
    else if (r === null) kernels.sgdMomentum(layout.data, layout.grad, layout.slots[0], layout.n, group.lr, gScale, group.weightDecay, bufDecay, bufGradScale, mu, group.nesterov);
    else kernels.sgdMomentumBf16(layout.data, layout.grad, layout.slots[0], layout.n, group.lr, gScale, group.weightDecay, bufDecay, bufGradScale, mu, group.nesterov, r.stochastic, r.key, layout.data);
  }
}
