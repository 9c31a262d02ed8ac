import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, invalid, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type RpropOptions = {
  /** Initial step size of every element (default 1e-2, as torch.optim.Rprop). */
  lr: number;
  /** Step multiplier after a sign change, η− in (0, 1) (default 0.5). */
  etaMinus: number;
  /** Step multiplier while the sign holds, η+ > 1 (default 1.2). */
  etaPlus: number;
  /** Smallest step size (default 1e-6). */
  stepSizeMin: number;
  /** Largest step size (default 50). */
  stepSizeMax: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const RPROP_SPEC: OptimizerSpec<RpropOptions> = {
  bfloat16: true,
  int8: true,
  kind: "Rprop",
  rules: {
    lr: num(1e-2, { min: 0 }),
    etaMinus: num(0.5, { min: 0, max: 1, minOpen: true, maxOpen: true }),
    etaPlus: num(1.2, { min: 1, minOpen: true }),
    stepSizeMin: num(1e-6, { min: 0 }),
    stepSizeMax: num(50, { min: 0 }),
    maximize: bool(false),
  },
  slots: ["prev", "stepSize"],
  nonNegativeSlots: ["stepSize"],
  checkGroup(group, owner) {
    if (group.stepSizeMin > group.stepSizeMax) {
      invalid(owner, "stepSizeMin", group.stepSizeMin, `<= stepSizeMax (${group.stepSizeMax})`);
    }
  },
  // Every element's step size starts at lr, as in PyTorch; later lr changes do not reach it.
  slotInit: (group, k) => (k === 1 ? group.lr : 0),
};

/** What `getState` returns for Rprop (optional buffers: created by the first step (the step sizes start from its lr, as torch).). */
export type RpropState = { step: number; prev?: Float32Array; stepSize?: Float32Array };

/**
 * Rprop (Riedmiller & Braun, 1993), the variant of torch.optim.Rprop. Only the sign of the gradient
 * is used, so it suits full-batch training, not noisy mini-batches.
 *
 * Per element, with g' = ±g (sign − when maximize) and s = g'·prev:
 *   step ← clamp(step·(s > 0 ? η+ : s < 0 ? η− : 1), stepSizeMin, stepSizeMax)
 *   where s < 0: g' ← 0 (no move this step, and the next step counts as a fresh start)
 *   θ ← θ − sign(g')·step;  prev ← g'
 * Step sizes start at lr. torch's `etas = (η−, η+)` and `step_sizes = (min, max)` are
 * etaMinus/etaPlus and stepSizeMin/stepSizeMax; torch's Rprop has no weight decay, nor has this one.
 *
 * State: `prev`, `stepSize`.
 */
export class Rprop extends ElementwiseOptimizer<RpropOptions, RpropState> {
  constructor(params: readonly Param[] | readonly GroupInput<RpropOptions>[], options: ElementwiseOptions<RpropOptions> = {}) {
    super(RPROP_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<RpropOptions>, layout: SlotsLayout): void {
    const { etaMinus, etaPlus, stepSizeMin, stepSizeMax } = group;
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize);
    const r = this.rounding;
    if (int8Scratch !== null) {
      kernels.rpropInt8(data, grad, s[0], scalesOf(layout, 0), s[1], scalesOf(layout, 1), int8Scratch.offset, n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    } else if (r === null) kernels.rprop(data, grad, s[0], s[1], n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    else kernels.rpropBf16(data, grad, s[0], s[1], n, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax, r.stochastic, r.key, data);
  }
}
