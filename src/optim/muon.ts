import type { Kernels } from "../backend/types.js";
import { OptimError } from "../errors.js";
import { allocating } from "../memory/allocation.js";
import type { Block } from "../memory/block.js";
import { Param } from "../param.js";
import { bool, num, oneOf, type Rule } from "./hyper.js";
import { orthogonalize, scratchFloats, scratchLayout, scratchNeed, type ScratchLayout, type ScratchNeed } from "./newton-schulz.js";
import { Optimizer, type GroupInput, type GroupLayout, type OptimizerOptions, type OptimizerSpec, type ParamGroup } from "./optimizer.js";

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

const SPEC: OptimizerSpec<MuonOptions> = {
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
  // A prepared group carries its params (loaded options do not): the list the base packs is checked.
  checkGroup(group) {
    const params = (group as Partial<ParamGroup<MuonOptions>>).params;
    if (params !== undefined) checkMatrices(params);
  },
};

/** What `getState` returns for Muon. */
export type MuonState = { step: number; momentumBuffer: Float32Array };

/** η·ratio, torch's _adjust_lr for an r×c parameter. */
export function adjustedLr(lr: number, fn: MuonOptions["adjustLrFn"], rows: number, cols: number): number {
  return lr * (fn === "original" ? Math.sqrt(Math.max(1, rows / cols)) : 0.2 * Math.sqrt(Math.max(rows, cols)));
}

/** The parameters of a constructor's or addParamGroup's input that are Params (the base checks the rest). */
function paramsOf(input: unknown): Param[] {
  const list = Array.isArray(input) ? (input as unknown[]) : [input];
  const out: Param[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as { params?: unknown } | null;
    if (Param.is(item)) out.push(item);
    else if (item !== null && typeof item === "object" && Array.isArray(item.params)) {
      for (let k = 0; k < item.params.length; k++) if (Param.is(item.params[k])) out.push(item.params[k] as Param);
    }
  }
  return out;
}

/** Throws INVALID_ARGUMENT naming the first parameter that is not a matrix. */
function checkMatrices(params: readonly Param[]): void {
  for (const param of params) {
    if (param.shape.length !== 2) {
      throw new OptimError(
        "INVALID_ARGUMENT",
        `Muon: parameter ${param.label} has shape [${param.shape.join(", ")}]; Muon takes only 2-D parameters (weight matrices, created with a shape [rows, cols]): optimise biases and embeddings with another optimizer such as AdamW`,
      );
    }
  }
}

/** Takes a scratch block for these shapes (OUT_OF_MEMORY: nothing taken), or null when `current` is large enough. */
function takeScratch(params: readonly Param[], current: ScratchNeed | null): { block: Block; need: ScratchNeed } | null {
  const need = scratchNeed(params.map((p) => p.shape));
  if (current !== null) {
    need.matrix = Math.max(need.matrix, current.matrix);
    need.gram = Math.max(need.gram, current.gram);
    if (need.matrix === current.matrix && need.gram === current.gram) return null;
  }
  if (params.length === 0) return null;
  const block = allocating(params[0].engine.heap, (take) => take(scratchFloats(need)));
  return { block, need };
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
 * The matrix products run on the GEMM kernel over scratch memory taken from the heap with the
 * optimizer, sized for its largest parameter (4 matrices: 2·r·c + 2·min(r, c)² floats), and freed by
 * `dispose`. A step costs 3 to 4·nsSteps·r·c·min(r, c) floating-point operations per parameter.
 *
 * State: `momentumBuffer` (b).
 */
export class Muon extends Optimizer<MuonOptions, MuonState> {
  private scratch: Block;
  private scratchNeed: ScratchNeed;
  private layoutOf: ScratchLayout;

  constructor(params: readonly Param[] | readonly GroupInput<MuonOptions>[], options: OptimizerOptions<MuonOptions> = {}) {
    // The shapes are checked and the scratch taken before the base packs anything: a failure here, or
    // in the base (which then frees the scratch), leaves every parameter as it was.
    const found = paramsOf(params);
    checkMatrices(found);
    const taken = takeScratch(found, null);
    try {
      super(SPEC, params, options);
    } catch (error) {
      taken?.block.discard();
      throw error;
    }
    // The base refuses an empty list, so a scratch was taken.
    this.scratch = taken!.block;
    this.scratchNeed = taken!.need;
    this.layoutOf = scratchLayout(this.scratch.offset, this.scratchNeed);
    this.fitScratch();
  }

  /** Adds a param group; the scratch grows first when the group has a larger matrix (all or nothing). */
  override addParamGroup(group: GroupInput<MuonOptions>): void {
    this.assertLive();
    const found = paramsOf([group]);
    checkMatrices(found);
    const taken = takeScratch(found, this.scratchNeed);
    try {
      super.addParamGroup(group);
    } catch (error) {
      taken?.block.discard();
      throw error;
    }
    if (taken !== null) this.useScratch(taken);
    this.fitScratch();
  }

  private useScratch(taken: { block: Block; need: ScratchNeed }): void {
    this.scratch.release();
    this.scratch = taken.block;
    this.scratchNeed = taken.need;
    this.layoutOf = scratchLayout(this.scratch.offset, this.scratchNeed);
  }

  /**
   * The scratch was sized from the input before the base copied it; a list whose contents change
   * between two reads (a getter) could differ. Never write past the scratch: size it again from the
   * packed list. If that runs out of memory the optimizer is disposed (its parameters stay usable).
   */
  private fitScratch(): void {
    let taken;
    try {
      taken = takeScratch(this.paramGroups.flatMap((g) => g.params), this.scratchNeed);
    } catch (error) {
      this.dispose();
      throw error;
    }
    if (taken !== null) this.useScratch(taken);
  }

  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    this.scratch.release();
  }

  protected update(kernels: Kernels, group: ParamGroup<MuonOptions>, layout: GroupLayout): void {
    const { lr, momentum } = group;
    const s = this.layoutOf;
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
