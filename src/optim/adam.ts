import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type BF16Rounding, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type AdamOptions = {
  /** Learning rate η (default 1e-3). */
  lr: number;
  /** Decay of the first moment, β1 in [0, 1) (default 0.9). */
  beta1: number;
  /** Decay of the second moment, β2 in [0, 1) (default 0.999). */
  beta2: number;
  /** Added to √v̂ in the denominator, outside the square root as in PyTorch (default 1e-8). */
  eps: number;
  /**
   * Treat eps as the paper's ε̂, added to √v before the bias correction: θ ← θ − η·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε̂)
   * (default false). true reproduces Keras (2 and 3) and TF1's tf.train.AdamOptimizer; PyTorch, Optax
   * and TensorFlow.js add ε after the correction. The two differ only while t is small.
   */
  epsHat: boolean;
  /** Weight decay: L2 (added to the gradient) for Adam, decoupled for AdamW. */
  weightDecay: number;
  /** Use the running maximum of v̂ (Reddi et al., "On the Convergence of Adam and Beyond"). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

const rules = (weightDecay: number) => ({
  lr: num(1e-3, { min: 0 }),
  beta1: num(0.9, { min: 0, max: 1, maxOpen: true }),
  beta2: num(0.999, { min: 0, max: 1, maxOpen: true }),
  eps: num(1e-8, { min: 0, minOpen: true }),
  epsHat: bool(false),
  weightDecay: num(weightDecay, { min: 0 }),
  amsgrad: bool(false),
  maximize: bool(false),
});

const slots = ["expAvg", "expAvgSq", "maxExpAvgSq"] as const;
const slotActive = (group: AdamOptions, k: number) => k < 2 || group.amsgrad;

const nonNegativeSlots = ["expAvgSq", "maxExpAvgSq"];

export const ADAM_SPEC: OptimizerSpec<AdamOptions> = { kind: "Adam", rules: rules(0), slots, slotActive, nonNegativeSlots, bfloat16: true, int8: true };
export const ADAMW_SPEC: OptimizerSpec<AdamOptions> = { kind: "AdamW", rules: rules(1e-2), slots, slotActive, nonNegativeSlots, bfloat16: true, int8: true };

/** What `getState` returns for Adam (optional buffers: `maxExpAvgSq` with amsgrad.). */
export type AdamState = { step: number; expAvg: Float32Array; expAvgSq: Float32Array; maxExpAvgSq?: Float32Array };

/**
 * Adam (Kingma & Ba, Algorithm 1) with PyTorch's formula and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (L2; sign − when maximize):
 *   m ← β1·m + (1 − β1)·g'          v ← β2·v + (1 − β2)·g'²
 *   (amsgrad) v̂max ← max(v̂max, v), used for v below
 *   θ ← θ − η/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 * The bias corrections are computed once per step in float64; the kernel evaluates the same
 * expression with one division: (η·√bc2/bc1)·m / (√v + ε·√bc2).
 *
 * ε sits outside the square root and is added after the bias correction, as in PyTorch, Optax and
 * TensorFlow.js (its AdamOptimizer divides by √(v/(1 − β2ᵗ)) + ε). Keras instead adds ε to √v
 * before the correction (the "epsilon hat" of the paper's section 2): pass `epsHat: true`.
 *
 * Other frameworks:
 * - TF.js `tf.train.adam(lr = 1e-3, beta1, beta2, eps)`: `{ lr, beta1, beta2, eps: eps ?? 1e-7 }`
 *   (its default ε is the backend epsilon, 1e-7 in float32).
 * - Keras `Adam(epsilon = 1e-7)`: `{ eps: 1e-7, epsHat: true }`; Keras's `AdamW` likewise.
 * - Optax `adam(b1, b2, eps = 1e-8, eps_root = 0)`: the defaults (eps_root has no counterpart).
 *
 * State: `expAvg`, `expAvgSq`, and `maxExpAvgSq` when amsgrad.
 */
export class Adam extends ElementwiseOptimizer<AdamOptions, AdamState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdamOptions>[], options: ElementwiseOptions<AdamOptions> = {}) {
    super(ADAM_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<AdamOptions>, layout: SlotsLayout): void {
    adamUpdate(kernels, group, layout, this.gScale(group.maximize), false, this.rounding);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, θ ← θ·(1 − η·weightDecay)
 * before the Adam update, as torch.optim.AdamW (default weightDecay 1e-2).
 */
export class AdamW extends ElementwiseOptimizer<AdamOptions, AdamState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdamOptions>[], options: ElementwiseOptions<AdamOptions> = {}) {
    super(ADAMW_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<AdamOptions>, layout: SlotsLayout): void {
    adamUpdate(kernels, group, layout, this.gScale(group.maximize), true, this.rounding);
  }
}

function adamUpdate(kernels: Kernels, group: ParamGroup<AdamOptions>, layout: SlotsLayout, gScale: number, decoupled: boolean, rounding: BF16Rounding | null): void {
  const { lr, beta1, beta2, eps, weightDecay, amsgrad } = group;
  const t = layout.step;
  const bc1 = 1 - Math.pow(beta1, t);
  const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
  const m = layout.slots[0], v = layout.slots[1], vmax = layout.slots[2];
  const wd = decoupled ? 0 : weightDecay, decay = decoupled ? 1 - lr * weightDecay : 1;
  // The kernel adds its ε to √v: PyTorch's ε after the correction is ε·√bc2 there, Keras's ε̂ is ε.
  const stepSize = (lr * sqrtBc2) / bc1, epsHat = group.epsHat ? eps : eps * sqrtBc2;
  const { data, grad, n } = layout;
  if (layout.int8Scratch !== null) {
    kernels.adamInt8(data, grad, m, scalesOf(layout, 0), v, scalesOf(layout, 1), vmax, scalesOf(layout, 2), layout.int8Scratch.offset, n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, epsHat, amsgrad);
  }
  else if (rounding === null) kernels.adam(data, grad, m, v, vmax, n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, epsHat, amsgrad);
  else kernels.adamBf16(data, grad, m, v, vmax, n, gScale, wd, decay, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, epsHat, amsgrad, rounding.stochastic, rounding.key, data);
}
