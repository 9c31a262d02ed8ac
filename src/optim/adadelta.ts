import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, scalesOf, type ElementwiseOptions, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup } from "./optimizer.js";

export type AdadeltaOptions = {
  /** Scale applied to the delta (default 1.0, as torch.optim.Adadelta and the paper). */
  lr: number;
  /** Decay ρ of both running averages, in [0, 1] (default 0.9; TF.js and Keras use 0.95). */
  rho: number;
  /** Added inside both square roots (default 1e-6; TF.js and Keras use 1e-7). */
  eps: number;
  /**
   * Divide by the E[g²] of the previous step instead of this step's (default false). true
   * reproduces TensorFlow.js, whose AdadeltaOptimizer reads the accumulator before updating it.
   */
  previousSquareAvg: boolean;
  /** L2 penalty added to the gradient: g + wd·θ (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const ADADELTA_SPEC: OptimizerSpec<AdadeltaOptions> = {
  bfloat16: true,
  int8: true,
  kind: "Adadelta",
  rules: {
    lr: num(1, { min: 0 }),
    rho: num(0.9, { min: 0, max: 1 }),
    eps: num(1e-6, { min: 0, minOpen: true }),
    previousSquareAvg: bool(false),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
  },
  slots: ["squareAvg", "accDelta"],
  nonNegativeSlots: ["squareAvg", "accDelta"],
};

/** What `getState` returns for Adadelta. */
export type AdadeltaState = { step: number; squareAvg: Float32Array; accDelta: Float32Array };

/**
 * Adadelta (Zeiler, 2012) with torch.optim.Adadelta's formula and defaults.
 *
 * With g' = ±g + weightDecay·θ (sign − when maximize):
 *   v ← ρ·v + (1 − ρ)·g'²
 *   δ = √(u + ε) / √(v + ε) · g'       (previousSquareAvg: the v from before this step)
 *   u ← ρ·u + (1 − ρ)·δ²
 *   θ ← θ − η·δ
 *
 * Other frameworks (ε is inside both roots everywhere):
 * - TF.js `tf.train.adadelta(lr, rho = 0.95, eps)`: `{ lr, rho, eps: eps ?? 1e-7, previousSquareAvg: true }`.
 * - Keras `Adadelta(learning_rate = 1e-3, rho = 0.95, epsilon = 1e-7)`: `{ lr, rho, eps }`.
 * - Optax `adadelta(learning_rate, rho = 0.9, eps = 1e-6)`: `{ lr, rho, eps }`.
 *
 * State: `squareAvg`, `accDelta`.
 */
export class Adadelta extends ElementwiseOptimizer<AdadeltaOptions, AdadeltaState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdadeltaOptions>[], options: ElementwiseOptions<AdadeltaOptions> = {}) {
    super(ADADELTA_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<AdadeltaOptions>, layout: SlotsLayout): void {
    const { lr, rho, eps, weightDecay, previousSquareAvg } = group;
    const { data, grad, n, slots: s, int8Scratch } = layout;
    const gScale = this.gScale(group.maximize);
    const r = this.rounding;
    if (int8Scratch !== null) {
      kernels.adadeltaInt8(data, grad, s[0], scalesOf(layout, 0), s[1], scalesOf(layout, 1), int8Scratch.offset, n, lr, gScale, weightDecay, rho, 1 - rho, eps, previousSquareAvg);
    } else if (r === null) kernels.adadelta(data, grad, s[0], s[1], n, lr, gScale, weightDecay, rho, 1 - rho, eps, previousSquareAvg);
    else kernels.adadeltaBf16(data, grad, s[0], s[1], n, lr, gScale, weightDecay, rho, 1 - rho, eps, previousSquareAvg, r.stochastic, r.key, data);
  }
}
