import type { Kernels } from "../backend/types.js";
import type { Param } from "../param.js";
import { bool, num, numOrNull } from "../validation.js";
import { adafactorParamStep } from "./adafactor-param.js";
import { ElementwiseOptimizer, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import type { GroupInput, OptimizerOptions, ParamGroup } from "./optimizer.js";

export type AdafactorOptions = {
  /** Learning rate: the cap of the relative step size ρₜ = min(lr, 1/√t), and the weight decay's scale (default 1e-2). */
  lr: number;
  /** τ ≤ 0: the second-moment statistics take weight t^τ at step t, i.e. β2ₜ = 1 − t^τ (default −0.8). */
  beta2Decay: number;
  /** ε1 ≥ 0, the floor of the variance estimate (its square) and of a matrix's mean row factor; null: the float32 epsilon 2⁻²³ (default null). */
  eps1: number | null;
  /** ε2 ≥ 0, the floor of the parameter's RMS in the step size (default 1e-3). */
  eps2: number;
  /** Clipping threshold d ≥ 1: the update is divided by max(1, RMS(U)/d) (default 1). */
  d: number;
  /** Decoupled weight decay λ: θ ← θ·(1 − lr·λ) (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const ADAFACTOR_SPEC: OptimizerSpec<AdafactorOptions> = {
  kind: "Adafactor",
  rules: {
    lr: num(1e-2, { min: 0 }),
    beta2Decay: num(-0.8, { max: 0 }),
    eps1: numOrNull(null, { min: 0 }),
    eps2: num(1e-3, { min: 0 }),
    d: num(1, { min: 1 }),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
  },
  // Matrices keep a row and a column factor, vectors a variance: only one kind applies to a parameter.
  slots: [{ name: "rowVar", layout: "row" }, { name: "colVar", layout: "column" }, { name: "variance", layout: "unfactored" }],
  nonNegativeSlots: ["rowVar", "colVar", "variance"],
};

/** What `getState` returns for Adafactor: `rowVar` and `colVar` for a parameter of two or more dims, `variance` for one of fewer. */
export type AdafactorState = { step: number; rowVar?: Float32Array; colVar?: Float32Array; variance?: Float32Array };

/**
 * Adafactor (Shazeer & Stern, 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
 * Cost") as torch.optim.Adafactor computes it: a second-moment estimate kept as a row and a column
 * factor for each matrix (memory rows + cols instead of rows·cols), and a step size relative to the
 * parameter's own scale.
 *
 * At step t, with G = ±g (sign − when maximize), w = t^beta2Decay:
 *   ρ = min(lr, 1/√t);   α = max(eps2, RMS(θ))·ρ;   θ ← θ·(1 − lr·weightDecay)
 *   ≥ 2 dims (the last two factored, leading dims a batch of matrices):
 *     R ← lerp(R, mean over columns of G², w);   C ← lerp(C, mean over rows of G², w)
 *     V = R·C / max(mean(R), eps1)
 *   1 dim:   V ← lerp(V, G², w)
 *   U = G / √max(V, eps1²);   θ ← θ − α / max(1, RMS(U)/d) · U
 * with RMS(θ) taken before the weight decay, as torch. docs/adafactor.md gives the order of every
 * operation, and where our float32 arithmetic and float64 sums choose.
 *
 * torch.optim.Adafactor `(lr, beta2_decay, eps=(eps1, eps2), d, weight_decay, maximize)`: the same
 * options, eps split in two (torch 1.13 has no Adafactor). Other frameworks differ (docs/adafactor.md): optax's `adafactor` factors
 * the two largest dims and only from 128, adds eps = 1e-30 to G² instead of clamping, has no 1/√t
 * decay and scales its weight decay by 1 rather than lr; the paper's ρ is min(1e-2, 1/√t) (lr = 1e-2).
 *
 * State: `rowVar` and `colVar` (a parameter of shape [..., r, c] keeps [..., r] and [..., c]), or
 * `variance` (a vector's, per element).
 */
export class Adafactor extends ElementwiseOptimizer<AdafactorOptions, AdafactorState> {
  constructor(params: readonly Param[] | readonly GroupInput<AdafactorOptions>[], options: OptimizerOptions<AdafactorOptions> = {}) {
    super(ADAFACTOR_SPEC, params, options);
  }

  /** One parameter at a time: α and the update's clipping need each parameter's own reductions. */
  protected update(kernels: Kernels, group: ParamGroup<AdafactorOptions>, layout: SlotsLayout): void {
    const gScale = this.gScale(group.maximize);
    const params = group.params, slots = layout.slots, starts = layout.slotStarts;
    for (let j = 0; j < params.length; j++) {
      const at = 4 * layout.starts[j];
      adafactorParamStep(
        kernels, group, layout.step, gScale, params[j].shape, layout.data + at, layout.grad + at,
        slots[0] + 4 * starts[0][j], slots[1] + 4 * starts[1][j], slots[2] + 4 * starts[2][j],
      );
    }
  }
}
