import { OptimError } from "../errors.js";
import { backtrackingLineSearch } from "../linesearch/backtracking.js";
import type { LineFunction, LineSearchResult } from "../linesearch/line.js";
import { strongWolfeLineSearch } from "../linesearch/strong-wolfe.js";
import type { Param } from "../param.js";
import { checkAll, num, oneOf, type Rule } from "../validation.js";
import { CurvatureHistory } from "./lbfgs-history.js";
import { Optimizer, STEP_OPTION_KEYS, type GroupInput, type GroupLayout, type GroupSpec, type ParamGroup } from "./optimizer.js";

export type LBFGSOptions = {
  /** The step along the quasi-Newton direction (default 1); the first line search's start with a line search. */
  lr: number;
  /** Iterations per `step(closure)` (default 20). */
  maxIter: number;
  /** Closure evaluations per `step(closure)` (default ⌊maxIter·5/4⌋, as torch). */
  maxEval: number;
  /** Stop when max |gradient| is at most this (default 1e-7). */
  toleranceGrad: number;
  /** Stop when the loss or the step (max |t·d|) changes by less than this (default 1e-9). */
  toleranceChange: number;
  /** Curvature pairs kept (default 100). */
  historySize: number;
  /**
   * "none" (default, as torch): a fixed step lr (the very first one scaled by min(1, 1/‖g‖₁));
   * "strongWolfe": torch's line_search_fn="strong_wolfe"; "backtracking": Armijo backtracking from lr.
   */
  lineSearch: "none" | "strongWolfe" | "backtracking";
};

function integer(defaultValue: number, min: number, max = Number.MAX_SAFE_INTEGER): Rule<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  return { default: defaultValue, check: (value) => (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : expected) };
}

const RULES = {
  lr: num(1, { min: 0, minOpen: true }),
  maxIter: integer(20, 1),
  maxEval: integer(25, 1),
  toleranceGrad: num(1e-7, { min: 0 }),
  toleranceChange: num(1e-9, { min: 0 }),
  // Its per-pair scalars are allocated up front: a million pairs is already 16 MB.
  historySize: integer(100, 1, 1_000_000),
  lineSearch: oneOf("none", ["none", "strongWolfe", "backtracking"] as const),
};
const KEYS = Object.keys(RULES) as (keyof LBFGSOptions)[];
export const LBFGS_SPEC: GroupSpec<LBFGSOptions> = { kind: "LBFGS", rules: RULES };

/** What `getState` returns for LBFGS. */
export type LBFGSState = { step: number };

/**
 * L-BFGS (Liu & Nocedal), following torch.optim.LBFGS: each `step(closure)` runs up to maxIter
 * quasi-Newton iterations and maxEval closure calls, with the same stopping tests, history update and
 * first step. The closure computes the loss at the current parameters and writes (not adds) their
 * gradients, and returns the loss; `step` returns the loss of its first call.
 *
 * Like torch, one param group only, and meant for full-batch problems. The parameters and gradients
 * stay in the heap, packed in one block each; the direction, the previous gradient and the curvature
 * history are float64 vectors outside the heap (historySize·2·n floats at most), which keeps the
 * two-loop recursion accurate on ill-conditioned problems. Parameters are stored in float32, so
 * x + t·d is rounded each time it is written.
 *
 * Differences: `saveState`/`loadState` are not supported (the history lives outside the heap);
 * maxGradNorm/nonFinite do not apply. A NaN or infinite first loss or gradient throws NON_FINITE
 * before anything changes.
 *
 * @example
 * const opt = new LBFGS([x], { lineSearch: "strongWolfe" });
 * opt.step(() => { const f = loss(x.data); gradient(x.data, x.grad); return f; });
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  private readonly n: number;
  private history: CurvatureHistory | null = null;
  private d: Float64Array | null = null;
  private g: Float64Array | null = null;
  private gPrev: Float64Array | null = null;
  private gTrial: Float64Array | null = null;
  private x0: Float32Array | null = null;
  /** The parameters and vectors at the start of the current step, to undo a step that throws. */
  private entry: { x: Float32Array; d: Float64Array; g: Float64Array; gPrev: Float64Array } | null = null;
  private t = 0;
  private iterCount = 0;
  private evalCount = 0;
  private closure: (() => number) | null = null;
  private readonly line: LineFunction;

  constructor(params: readonly Param[] | readonly GroupInput<LBFGSOptions>[], options: Partial<LBFGSOptions> = {}) {
    super(LBFGS_SPEC, checkOneGroup(params), withMaxEval(params, options));
    this.n = this.layouts[0].n;
    this.line = (t, out) => {
      this.moveTo(t);
      out.value = this.evaluate(this.gTrial!);
      out.slope = dot(this.gTrial!, this.d!, this.n);
    };
  }

  /** Iterations run by every step so far (torch's state["n_iter"]). */
  get iterations(): number {
    return this.iterCount;
  }

  /** Closure calls made by every step so far (torch's state["func_evals"]). */
  get evaluations(): number {
    return this.evalCount;
  }

  override addParamGroup(_group: GroupInput<LBFGSOptions>): void {
    throw new OptimError("INVALID_ARGUMENT", "LBFGS: supports a single param group (as torch.optim.LBFGS)");
  }

  /** The iteration count (torch's n_iter); the history and vectors live outside the heap and are not exposed. */
  getState(param: Param): LBFGSState {
    return { step: this.layoutOf(param).step };
  }

  saveState(): Uint8Array {
    throw new OptimError("STATE_INCOMPATIBLE", "LBFGS: saving its state is not supported (its curvature history lives outside the heap)");
  }

  loadState(_bytes: Uint8Array): void {
    throw new OptimError("STATE_INCOMPATIBLE", "LBFGS: loading a state is not supported (its curvature history lives outside the heap)");
  }

  /**
   * Runs up to maxIter iterations; returns the loss the closure gave at the starting point. A step
   * that throws (the closure threw, returned a non-number or NaN) puts back the parameters, the
   * history, the vectors and the counters it found.
   */
  step(closure?: () => number): number {
    this.beginStep(closure);
    if (typeof closure !== "function") throw new OptimError("INVALID_ARGUMENT", "LBFGS: step needs a closure that computes the loss and fills the gradients");
    const group = this.paramGroups[0];
    checkAll("LBFGS", RULES, KEYS, group as unknown as LBFGSOptions);
    if (this.maxGradNorm !== Infinity || this.nonFinite !== "proceed") {
      throw new OptimError("INVALID_ARGUMENT", "LBFGS: maxGradNorm and nonFinite are not supported");
    }
    const previousHistory = this.history;
    this.prepare(group.historySize);
    const counters = { t: this.t, iterations: this.iterCount, evaluations: this.evalCount, step: this.layouts[0].step };
    this.saveEntry();
    this.history!.begin();
    this.closure = closure;
    try {
      const loss = this.iterate(group);
      this.history!.commit();
      return loss;
    } catch (error) {
      this.history!.rollback();
      this.history = previousHistory ?? this.history;
      ({ t: this.t, iterations: this.iterCount, evaluations: this.evalCount, step: this.layouts[0].step } = counters);
      this.restoreEntry();
      throw error;
    } finally {
      this.closure = null;
      if (this.disposed) this.releaseState();
    }
  }

  private iterate({ lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearch }: ParamGroup<LBFGSOptions>): number {
    const n = this.n;
    const d = this.d!, g = this.g!, gPrev = this.gPrev!, history = this.history!;
    const firstLoss = this.evaluate(g);
    if (!Number.isFinite(firstLoss) || !Number.isFinite(sumAbs(g, n))) {
      throw new OptimError("NON_FINITE", `LBFGS: the closure gave loss ${firstLoss} and a gradient with |g|₁ = ${sumAbs(g, n)}; nothing was updated`);
    }
    let loss = firstLoss;
    let evals = 1;
    if (maxAbs(g, n) <= toleranceGrad) return firstLoss;
    for (let iter = 1; iter <= maxIter; iter++) {
      this.iterCount++;
      this.layouts[0].step = this.iterCount;
      if (this.iterCount === 1) {
        for (let i = 0; i < n; i++) d[i] = -g[i];
        history.clear();
      } else {
        history.push(this.t, d, g, gPrev);
        history.direction(g, d);
      }
      gPrev.set(g);
      const prevLoss = loss;
      this.t = this.iterCount === 1 ? Math.min(1, 1 / sumAbs(g, n)) * lr : lr;
      const slope = dot(g, d, n);
      if (slope > -toleranceChange) break;
      if (lineSearch === "none") {
        this.snapshot();
        this.moveTo(this.t);
        if (iter !== maxIter) {
          loss = this.evaluate(g);
          evals++;
        }
      } else {
        this.snapshot();
        const result = this.search(lineSearch, loss, slope, toleranceChange);
        evals += result.evaluations;
        this.t = result.t;
        loss = result.value;
        this.moveTo(this.t);
        if (result.t === result.lastT) g.set(this.gTrial!);
        else if (result.t !== 0) {
          // The accepted point is not the last one evaluated: its gradient is needed again.
          loss = this.evaluate(g);
          evals++;
        }
      }
      if (iter === maxIter || evals >= maxEval) break;
      if (maxAbs(g, n) <= toleranceGrad) break;
      if (Math.abs(this.t) * maxAbs(d, n) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    return firstLoss;
  }

  /** Nothing beside the values and gradients in the heap: the vectors and history are float64 arrays of their own. */
  protected layoutFor(_group: ParamGroup<LBFGSOptions>, base: GroupLayout): GroupLayout {
    return base;
  }

  /** Drops the float64 vectors and the history (the garbage collector frees them; the heap holds none). */
  protected releaseState(): void {
    // Disposed from inside a step's closure: the step still undoes itself with these (then releases them).
    if (this.closure !== null) return;
    this.history = null;
    this.d = this.g = this.gPrev = this.gTrial = null;
    this.x0 = null;
    this.entry = null;
  }

  private search(kind: "strongWolfe" | "backtracking", loss: number, slope: number, toleranceChange: number): LineSearchResult {
    if (kind === "backtracking") return backtrackingLineSearch(this.line, loss, slope, this.t);
    // torch stops refining when the bracket moves x by less than toleranceChange: in units of t, that
    // is toleranceChange / max |d|.
    return strongWolfeLineSearch(this.line, loss, slope, this.t, { tolerance: toleranceChange / maxAbs(this.d!, this.n) });
  }

  /** Calls the closure and copies the gradient (float32 in the heap) into `into`; returns the loss. */
  private evaluate(into: Float64Array): number {
    const loss = this.callClosure(this.closure!);
    if (typeof loss !== "number") throw new OptimError("INVALID_ARGUMENT", `LBFGS: the closure must return the loss as a number, got ${typeof loss}`);
    if (Number.isNaN(loss)) throw new OptimError("NON_FINITE", "LBFGS: the closure returned NaN; the step was undone");
    this.evalCount++;
    const heap = this.engine.heap.f32; // after the closure, which may have grown the heap
    const at = this.layouts[0].grad >>> 2;
    for (let i = 0; i < this.n; i++) into[i] = heap[at + i];
    return loss;
  }

  private saveEntry(): void {
    const entry = this.entry!;
    const at = this.layouts[0].data >>> 2;
    entry.x.set(this.engine.heap.f32.subarray(at, at + this.n));
    entry.d.set(this.d!);
    entry.g.set(this.g!);
    entry.gPrev.set(this.gPrev!);
  }

  private restoreEntry(): void {
    const entry = this.entry!;
    // Each parameter gets its entry values back wherever it lives now: a closure may have disposed
    // this optimizer and packed the parameter elsewhere, or disposed it (then there is nothing to restore).
    if (!this.engine.disposed) {
      const { starts } = this.layouts[0];
      this.paramGroups[0].params.forEach((param, j) => {
        if (!param.disposed) param.data.set(entry.x.subarray(starts[j], starts[j] + param.length));
      });
    }
    this.d!.set(entry.d);
    this.g!.set(entry.g);
    this.gPrev!.set(entry.gPrev);
  }

  /** Keeps the parameters where the iteration starts, x0. */
  private snapshot(): void {
    const at = this.layouts[0].data >>> 2;
    this.x0!.set(this.engine.heap.f32.subarray(at, at + this.n));
  }

  /** Sets the parameters to x0 + t·d (rounded to float32). */
  private moveTo(t: number): void {
    const heap = this.engine.heap.f32;
    const at = this.layouts[0].data >>> 2;
    const x0 = this.x0!, d = this.d!;
    for (let i = 0; i < this.n; i++) heap[at + i] = x0[i] + t * d[i];
  }

  /** Allocates the work vectors once (and the history again if historySize changed). */
  private prepare(historySize: number): void {
    const n = this.n;
    if (this.d === null) {
      this.d = new Float64Array(n);
      this.g = new Float64Array(n);
      this.gPrev = new Float64Array(n);
      this.gTrial = new Float64Array(n);
      this.x0 = new Float32Array(n);
      this.entry = { x: new Float32Array(n), d: new Float64Array(n), g: new Float64Array(n), gPrev: new Float64Array(n) };
    }
    if (this.history?.capacity !== historySize) {
      const old = this.history;
      this.history = new CurvatureHistory(n, historySize);
      // A new capacity starts an empty history: the next iteration is a steepest-descent step scaled as before.
      if (old !== null) this.history.hDiag = old.hDiag;
    }
  }
}

function checkOneGroup(params: readonly Param[] | readonly GroupInput<LBFGSOptions>[]): readonly Param[] | readonly GroupInput<LBFGSOptions>[] {
  if (Array.isArray(params) && params.length > 1 && !params.every((p) => typeof p === "object" && p !== null && !("params" in p))) {
    throw new OptimError("INVALID_ARGUMENT", "LBFGS: supports a single param group (as torch.optim.LBFGS)");
  }
  return params;
}

/** torch's default maxEval is ⌊maxIter·5/4⌋ of the maxIter actually given. */
function withMaxEval(params: readonly Param[] | readonly GroupInput<LBFGSOptions>[], options: Partial<LBFGSOptions>): Partial<LBFGSOptions> {
  if (options === null || typeof options !== "object") return options;
  for (const key of STEP_OPTION_KEYS) {
    if (key in options) throw new OptimError("INVALID_ARGUMENT", `LBFGS: ${key} is not supported`);
  }
  const group = Array.isArray(params) && params.length === 1 && typeof params[0] === "object" && params[0] !== null && "params" in params[0] ? (params[0] as Partial<LBFGSOptions>) : {};
  const maxIter = group.maxIter ?? options.maxIter;
  if (options.maxEval !== undefined || group.maxEval !== undefined || !Number.isSafeInteger(maxIter)) return options;
  return { ...options, maxEval: Math.max(1, Math.floor((maxIter! * 5) / 4)) };
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] * b[i];
  return sum;
}

function maxAbs(a: Float64Array, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[i]);
    if (v > max) max = v;
  }
  return max;
}

function sumAbs(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(a[i]);
  return sum;
}
