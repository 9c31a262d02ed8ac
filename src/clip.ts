import { checkKnownKeys } from "./validation.js";
import type { Kernels } from "./backend/types.js";
import type { Engine } from "./engine.js";
import { describe, OptimError } from "./errors.js";
import { copyList } from "./util/list.js";
import { Param } from "./param.js";

/** The norms clipping supports: the Euclidean norm and the largest absolute value. */
export type GradNormType = 2 | typeof Infinity;

/** Added to the total norm before dividing, as torch.nn.utils.clip_grad_norm_ does. */
export const CLIP_EPS = 1e-6;

export interface ClipGradNormOptions {
  /** Throw NON_FINITE (and change nothing) when the total norm is NaN or infinite (default false, as torch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `params` in place so that their total norm is at most `maxNorm`, and
 * returns the total norm measured before scaling, as torch.nn.utils.clip_grad_norm_.
 *
 *   total = ‖(g of every parameter)‖ (2 or ∞);  coef = min(1, maxNorm / (total + 1e-6));  g ← coef·g
 *
 * The total is computed over each contiguous run of gradients (an optimizer packs its params'
 * gradients into one block per group: one SIMD pass per group, not per tensor), with float64
 * accumulation, and returned as a float64 number: torch accumulates and returns float32. The
 * coefficient is computed in float64 and rounded once to float32 for the multiply. A NaN total
 * makes every gradient NaN and an infinite one zeroes the finite entries, as in torch, unless
 * `errorIfNonfinite` is set.
 *
 * @example
 * const norm = clipGradNorm([w, b], 1.0);   // after the backward pass, before opt.step()
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number, normType: GradNormType = 2, options: ClipGradNormOptions = {}): number {
  checkNonNegative("clipGradNorm", "maxNorm", maxNorm);
  checkNormType("clipGradNorm", normType);
  if (options === null || typeof options !== "object") throw new OptimError("INVALID_ARGUMENT", `clipGradNorm: options must be an object, got ${describe(options)}`);
  checkKnownKeys("clipGradNorm", options, ["errorIfNonfinite"]);
  const runs = gradRuns("clipGradNorm", params);
  if (runs.engine === null) return 0;
  const kernels = runs.engine.kernels;
  const total = totalNorm(kernels, runs.runs, runs.runs.length, normType);
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new OptimError("NON_FINITE", `clipGradNorm: the total gradient norm is ${total}: ${describeNonFinite(params)}; no gradient was changed`);
  }
  const coef = clipCoefficient(maxNorm, total);
  if (!(coef >= 1)) for (const run of runs.runs) kernels.scale(run.grad, run.n, coef);
  return total;
}

/**
 * Clamps every gradient entry of `params` to [−clipValue, clipValue] in place, as
 * torch.nn.utils.clip_grad_value_. NaN entries stay NaN.
 */
export function clipGradValue(params: readonly Param[], clipValue: number): void {
  checkNonNegative("clipGradValue", "clipValue", clipValue);
  const runs = gradRuns("clipGradValue", params);
  if (runs.engine === null) return;
  const kernels = runs.engine.kernels;
  for (const run of runs.runs) kernels.clamp(run.grad, run.n, -clipValue, clipValue);
}

/** torch's clipping coefficient: maxNorm / (total + 1e-6), at most 1; NaN when total is NaN. */
export function clipCoefficient(maxNorm: number, total: number): number {
  const coef = maxNorm / (total + CLIP_EPS);
  return coef > 1 ? 1 : coef;
}

/** A contiguous run of gradients: byte offset and float count (an optimizer's GroupLayout is one). */
export interface GradRun {
  readonly grad: number;
  readonly n: number;
}

/**
 * The norm of the gradients in the first `count` runs: √(Σ x²) accumulated in float64, or max |x|.
 * Allocates nothing (the optimizer calls it in every clipped or guarded step).
 */
export function totalNorm(kernels: Kernels, runs: ArrayLike<GradRun>, count: number, normType: GradNormType): number {
  if (normType === Infinity) {
    let max = 0;
    // Math.max rather than a comparison, so a NaN in any run makes the result NaN.
    for (let i = 0; i < count; i++) max = Math.max(max, kernels.maxAbs(runs[i].grad, runs[i].n));
    return max;
  }
  let sum = 0;
  for (let i = 0; i < count; i++) sum += kernels.sumSquares(runs[i].grad, runs[i].n);
  return Math.sqrt(sum);
}

/** Names the first NaN or infinite gradient entry, for NON_FINITE messages (only on the error path). */
export function describeNonFinite(params: readonly Param[]): string {
  for (const param of params) {
    const grad = param.grad;
    for (let i = 0; i < grad.length; i++) {
      if (!Number.isFinite(grad[i])) return `the gradient of parameter ${param.label} is ${grad[i]} at index ${i}`;
    }
  }
  return "no single entry is non-finite, but the sum of squares overflowed";
}

export function checkNormType(owner: string, normType: unknown): asserts normType is GradNormType {
  if (normType !== 2 && normType !== Infinity) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: normType must be 2 or Infinity, got ${String(normType)}`);
  }
}

function checkNonNegative(owner: string, name: string, value: unknown): void {
  // Infinity is allowed: clipGradNorm(params, Infinity) only measures the norm.
  if (typeof value !== "number" || !(value >= 0)) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: ${name} must be a number >= 0, got ${String(value)}`);
  }
}

interface GradRuns {
  engine: Engine | null;
  runs: { grad: number; n: number }[];
}

/**
 * The gradients of `params` as maximal contiguous runs of the heap: the params an optimizer packed
 * together (in order) form one run, so the kernels make one pass per group instead of one per tensor.
 */
function gradRuns(owner: string, list: readonly Param[]): GradRuns {
  if (!Array.isArray(list)) throw new OptimError("INVALID_ARGUMENT", `${owner}: expected an array of parameters`);
  const params = copyList(list);
  let engine: Engine | null = null;
  const seen = new Set<Param>();
  for (const param of params) {
    if (!Param.is(param)) throw new OptimError("INVALID_ARGUMENT", `${owner}: ${describe(param)} is not a Param`);
    param.assertLive();
    engine ??= param.engine;
    if (param.engine !== engine) throw new OptimError("INVALID_ARGUMENT", `${owner}: parameter ${param.label} belongs to another engine`);
    if (seen.has(param)) throw new OptimError("DUPLICATE_PARAM", `${owner}: parameter ${param.label} appears more than once`);
    seen.add(param);
  }
  const sorted = params.filter((p) => p.length > 0).sort((a, b) => a.gradOffset - b.gradOffset);
  const runs: { grad: number; n: number }[] = [];
  for (const param of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.grad + 4 * last.n === param.gradOffset) last.n += param.length;
    else runs.push({ grad: param.gradOffset, n: param.length });
  }
  return { engine, runs };
}
