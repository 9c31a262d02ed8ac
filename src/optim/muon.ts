import type { Kernels } from "../backend/contract.js";
import { OptimError } from "../errors.js";
import type { Take } from "../memory/allocation.js";
import type { Block } from "../memory/block.js";
import type { Param } from "../param.js";
import { bool, num, oneOf, type Rule } from "../validation.js";
import { ElementwiseOptimizer, type OptimizerSpec, type SlotsLayout } from "./elementwise.js";
import { orthogonalize, scratchFloats, scratchLayout, scratchNeed, type ScratchLayout } from "./newton-schulz.js";
import type { GroupInput, GroupLayout, OptimizerOptions, ParamGroup } from "./optimizer.js";

export type MuonOptions = {
  /** Learning rate η (default 1e-3), before the shape adjustment (`adjustLrFn`). */
  lr: number;
  /** Decoupled weight decay λ: θ ← θ·(1 − η·λ) with the unadjusted η (default 0.1). */
  weightDecay: number;
  /** Momentum μ ≥ 0 (default 0.95): b ← μ·b + (1 − μ)·g. */
  momentum: number;
  /** Orthogonalise μ·b + (1 − μ)·g instead of b (default true). */
  nesterov: boolean;
  /** The quintic's coefficients, torch's ns_coefficients (a, b, c) (default 3.4445, −4.7750, 2.0315). */
  nsA: number;
  nsB: number;
  nsC: number;
  /** The Frobenius norm is clamped to at least eps before dividing by it (default 1e-7). */
  eps: number;
  /** Newton–Schulz iterations, an integer in [0, 99] (default 5). */
  nsSteps: number;
  /**
   * How η scales with the shape r×c: "original" (Keller Jordan's, √max(1, r/c), the default) or
   * "match_rms_adamw" (Moonshot's, 0.2·√max(r, c), so AdamW's lr and weight decay carry over).
   */
  adjustLrFn: "original" | "match_rms_adamw";
};

const nsSteps: Rule<number> = {
  default: 5,
  // torch refuses 100 or more ("for computational efficiency").
  check: (value) => (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 100 ? undefined : "an integer in [0, 99]"),
};

export const MUON_SPEC: OptimizerSpec<MuonOptions> = {
  kind: "Muon",
  rules: {
    lr: num(1e-3, { min: 0 }),
    weightDecay: num(0.1, { min: 0 }),
    momentum: num(0.95, { min: 0 }),
    nesterov: bool(true),
    nsA: num(3.4445),
    nsB: num(-4.775),
    nsC: num(2.0315),
    eps: num(1e-7, { min: 0, minOpen: true }),
    nsSteps,
    adjustLrFn: oneOf("original", ["original", "match_rms_adamw"] as const),
  },
  slots: ["momentumBuffer"],
  checkParam: checkMatrix,
};

/** What `getState` returns for Muon. */
export type MuonState = { step: number; momentumBuffer: Float32Array };

/** η·ratio, torch's _adjust_lr for an r×c parameter. */
export function adjustedLr(lr: number, fn: MuonOptions["adjustLrFn"], rows: number, cols: number): number {
  return lr * (fn === "original" ? Math.sqrt(Math.max(1, rows / cols)) : 0.2 * Math.sqrt(Math.max(rows, cols)));
}

/** Throws INVALID_ARGUMENT naming a parameter that is not a matrix. */
function checkMatrix(param: Param): void {
  if (param.shape.length !== 2) {
    throw new OptimError(
      "INVALID_ARGUMENT",
      `Muon: parameter ${param.label} has shape [${param.shape.join(", ")}]; Muon takes only 2-D parameters (weight matrices, created with a shape [rows, cols]): optimise biases and embeddings with another optimizer such as AdamW`,
    );
  }
}

/** A Muon group's layout: its slots, and the Newton–Schulz scratch sized for its largest matrix. */
interface MuonLayout extends SlotsLayout {
  readonly scratch: Block;
  readonly scratchAt: ScratchLayout;
}

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Keller Jordan et al., 2024), as torch.optim.Muon:
 * for the 2-D weight matrices of hidden layers. Give biases, gains and embeddings to another
 * optimizer (torch's docs, and this README, pair it with AdamW).
 *
 * At each step, for each r×c parameter θ with gradient g (times the clipping coefficient):
 *   b ← μ·b + (1 − μ)·g                              (torch: b.lerp_(g, 1 − μ))
 *   u = nesterov ? μ·b + (1 − μ)·g : b               (torch: g.lerp(b, μ))
 *   X ← u / max(‖u‖_F, ε), transposed when r > c; then nsSteps times
 *     A = X·Xᵀ;  X ← a·X + (b·A + c·A·A)·X
 *   θ ← θ·(1 − η·λ) − η'·X (transposed back), η' = η·√max(1, r/c) ("original") or η·0.2·√max(r, c)
 *
 * Differences from torch: torch runs the iteration in bfloat16; here it is float32 throughout, in a
 * fixed order (the same bits on every backend). torch's `use_addmm` only changes its kernels, so it
 * has no counterpart; its ns_coefficients tuple is `nsA`, `nsB`, `nsC`. No `maximize` (torch has none).
 *
 * The matrix products run on the GEMM kernel over scratch memory taken from the heap with each
 * param group, sized for the group's largest parameter (4 matrices: 2·r·c + 2·min(r, c)² floats), and
 * freed by `dispose`. A step costs 3 to 4·nsSteps·r·c·min(r, c) floating-point operations per parameter.
 *
 * State: `momentumBuffer` (b).
 */
export class Muon extends ElementwiseOptimizer<MuonOptions, MuonState, MuonLayout> {
  constructor(params: readonly Param[] | readonly GroupInput<MuonOptions>[], options: OptimizerOptions<MuonOptions> = {}) {
    super(MUON_SPEC, params, options);
  }

  /** The group's slots and its scratch, taken in the same transaction as its values and gradients. */
  protected override layoutFor(group: ParamGroup<MuonOptions>, base: GroupLayout, take: Take): MuonLayout {
    const need = scratchNeed(group.params.map((p) => p.shape));
    const scratch = take(scratchFloats(need));
    return { ...this.slotsLayoutFor(group, base, take), scratch, scratchAt: scratchLayout(scratch.offset, need) };
  }

  protected override releaseState(): void {
    super.releaseState();
    for (const layout of this.layouts) layout.scratch.release();
  }

  protected update(kernels: Kernels, group: ParamGroup<MuonOptions>, layout: MuonLayout): void {
    const { lr, momentum } = group;
    const s = layout.scratchAt;
    const gScale = this.gScale(false);
    const decay = 1 - lr * group.weightDecay;
    const params = group.params;
    for (let i = 0; i < params.length; i++) {
      const rows = params[i].shape[0], cols = params[i].shape[1];
      const n = rows * cols;
      if (n === 0) continue;
      const at = 4 * layout.starts[i];
      kernels.muonMomentum(layout.grad + at, layout.slots[0] + at, s.y, n, gScale, momentum, 1 - momentum, group.nesterov);
      const o = orthogonalize(kernels, s, s.y, rows, cols, group);
      kernels.muonApply(layout.data + at, o, n, decay, adjustedLr(lr, group.adjustLrFn, rows, cols));
    }
  }
}
