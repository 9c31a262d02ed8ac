import type { Kernels } from "../backend/contract.js";
import { OptimError } from "../errors.js";
import type { Param } from "../param.js";
import { bool, num } from "../validation.js";
import { ElementwiseOptimizer, type SlotsLayout, type OptimizerSpec } from "./elementwise.js";
import { type GroupInput, type ParamGroup, type OptimizerOptions } from "./optimizer.js";

export type ASGDOptions = {
  /** Learning rate η₀ (default 1e-2). */
  lr: number;
  /** Decay term λ: θ ← θ·(1 − λ·η) each step, and η's decay rate (default 1e-4). */
  lambd: number;
  /** Power α of η's decay (default 0.75). */
  alpha: number;
  /** Step after which averaging starts (default 1e6). */
  t0: number;
  /** L2 weight decay, added to the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
};

export const ASGD_SPEC: OptimizerSpec<ASGDOptions> = {
  kind: "ASGD",
  rules: {
    lr: num(1e-2, { min: 0 }),
    lambd: num(1e-4, { min: 0 }),
    alpha: num(0.75, { min: 0 }),
    t0: num(1e6, { min: 0 }),
    weightDecay: num(0, { min: 0 }),
    maximize: bool(false),
  },
  slots: ["ax"],
  // η and μ, the same for every parameter of a group (torch keeps a copy per parameter).
  scalars: ["eta", "mu"],
  scalarInit: (group, name) => (name === "eta" ? group.lr : 1),
  rebuildScalars: () => {
    throw new OptimError("STATE_INCOMPATIBLE", "ASGD: a version-1 state has no eta and mu (ASGD states are version 2 or later)");
  },
  // η = η₀/(1 + λ·η₀·t)^α ≥ 0; μ = 1/max(1, t − t0) in (0, 1].
  checkScalar: (k, value) => (k === 0 ? (value >= 0 ? undefined : "a number >= 0") : value > 0 && value <= 1 ? undefined : "in (0, 1]"),
};

/** What `getState` returns for ASGD. */
export type ASGDState = { step: number; ax: Float32Array; eta: number; mu: number };

/**
 * ASGD, averaged stochastic gradient descent (Polyak & Juditsky, 1992, "Acceleration of stochastic
 * approximation by averaging"), with torch.optim.ASGD's formula and defaults.
 *
 * At step t, with g' = ±g + weightDecay·θ (L2; sign − when maximize) and the group's η, μ:
 *   θ ← θ·(1 − λ·η) − η·g'
 *   ax ← θ while μ = 1, then ax ← ax + μ·(θ − ax)      (the running average of the iterates)
 *   η ← η₀/(1 + λ·η₀·t)^α          μ ← 1/max(1, t − t0)
 * η and μ are updated after the parameters, so step t uses those of step t − 1 (η₀ and 1 at the
 * first step). They are float64 numbers per param group; torch keeps one float32 copy of each per
 * parameter (the same value), so results agree with torch 1.13 to float32 rounding. Evaluate with the
 * averaged parameters by copying `ax` into the model (`getState(p).ax`); the parameters themselves
 * are the last iterate, as in torch. Where torch's μ is exactly 1 in float32 ax is a copy of θ; so here.
 *
 * torch versions: 1.13 and current torch run the same single-tensor update on the CPU (their default
 * there): θ is updated with the previous step's η, then ax, then η and μ, which torch keeps in float32
 * (1.13's torch.tensor, current torch's default scalar dtype). Current torch's foreach path (its
 * default on CUDA) rounds differently, θ − η·(g' + λθ) in one fused operation, and always averages
 * (ax ← ax + μ·(θ − ax), no copy while μ = 1), as its single-tensor path does with capturable (and,
 * in some 2.x releases, under torch.compile); torch 1.13 copies in both paths.
 *
 * State: `ax`, and the group's `eta` and `mu` (saved and loaded with the state).
 */
export class ASGD extends ElementwiseOptimizer<ASGDOptions, ASGDState> {
  constructor(params: readonly Param[] | readonly GroupInput<ASGDOptions>[], options: OptimizerOptions<ASGDOptions> = {}) {
    super(ASGD_SPEC, params, options);
  }

  protected update(kernels: Kernels, group: ParamGroup<ASGDOptions>, layout: SlotsLayout): void {
    const { lr, lambd, alpha, t0 } = group;
    const t = layout.step;
    // torch creates η (= lr) and μ (= 1) at a parameter's first step: the lr then, not at construction.
    const eta = t === 1 ? lr : layout.scalars[0];
    const mu = t === 1 ? 1 : layout.scalars[1];
    kernels.asgd(
      layout.data, layout.grad, layout.slots[0], layout.n,
      this.gScale(group.maximize), group.weightDecay, 1 - lambd * eta, eta, mu, Math.fround(mu) !== 1,
    );
    layout.scalars[0] = lr / Math.pow(1 + lambd * lr * t, alpha);
    layout.scalars[1] = 1 / Math.max(1, t - t0);
  }
}
