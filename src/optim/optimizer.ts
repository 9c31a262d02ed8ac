import { clipCoefficient, describeNonFinite, totalNorm, type GradNormType } from "../clip.js";
import type { Engine } from "../engine.js";
import { describe, OptimError } from "../errors.js";
import { allocating, type Take } from "../memory/allocation.js";
import { Param } from "../param.js";
import type { SavedSettings } from "../state/format.js";
import { copyList } from "../util/list.js";
import { checkAll, invalid, type Hyperparameters, type Rules } from "../validation.js";

// The group layer every optimizer stands on: param groups with validated options, packed into
// contiguous blocks; the step options (clipping, the non-finite guard); liveness; closures. What an
// optimizer keeps per group beside the values and gradients, and what its step does, are its own
// (ElementwiseOptimizer in elementwise.ts for the kernel families; LBFGS).

/** What a step does when a gradient holds a NaN or an infinity (see `Optimizer.nonFinite`). */
export type NonFiniteMode = "throw" | "skip" | "proceed";

/**
 * Options of the whole optimizer rather than of a param group, common to every family. They are
 * accepted in the constructor's options and are properties of the optimizer.
 */
export interface StepOptions {
  /**
   * Clip the total gradient norm (over every group) to this inside each step, as
   * torch.nn.utils.clip_grad_norm_ before `step()` would (default Infinity: off).
   */
  maxGradNorm?: number;
  /** The norm maxGradNorm measures: 2 (default) or Infinity. */
  gradNormType?: GradNormType;
  /** What a NaN or infinite gradient does: "proceed" (default, as torch), "skip" or "throw". */
  nonFinite?: NonFiniteMode;
}

/**
 * What `getState(param)` returns: the group's step count, a zero-copy view of each of the
 * parameter's state buffers (a dequantized copy for bfloat16 state), and the family's per-group numbers. Each family narrows it (AdamState…):
 * buffers the family always keeps are there from construction (zeros until the first step);
 * buffers that depend on options (amsgrad's, momentum's) are optional.
 */
export type OptimizerState = { step: number } & { [name: string]: Float32Array | number | undefined };

/** A family's constructor options: its hyperparameters (defaults for every group) and the step options. */
export type OptimizerOptions<H extends Hyperparameters> = Partial<H> & StepOptions;

export const STEP_OPTION_KEYS: readonly string[] = ["maxGradNorm", "gradNormType", "nonFinite"];
export const NON_FINITE_MODES: readonly NonFiniteMode[] = ["throw", "skip", "proceed"];

/** A param group as given to a constructor: its parameters and any per-group options. */
export type GroupInput<H extends Hyperparameters> = { params: readonly Param[] } & Partial<H>;

/** A param group as the optimizer holds it: every option filled in, and changeable between steps. */
export type ParamGroup<H extends Hyperparameters> = H & { readonly params: readonly Param[] };

/** What the group layer needs to know of a family. */
export interface GroupSpec<H extends Hyperparameters> {
  /** The class name, in messages and saved state. */
  readonly kind: string;
  readonly rules: Rules<H>;
  /** Checks that involve several options (e.g. Nesterov needs momentum); throws via `invalid`. */
  checkGroup?(group: H, owner: string): void;
  /** Checks a parameter can join a group of this family (e.g. Muon takes matrices only); throws a coded error. */
  checkParam?(param: Param, owner: string): void;
}

/**
 * Where a group's values and gradients live: each packed into one contiguous block, so one kernel
 * call updates the whole group however many tensors it has.
 */
export interface GroupLayout {
  /** Floats in the group. */
  readonly n: number;
  /** Byte offsets of the packed values and gradients. */
  readonly data: number;
  readonly grad: number;
  /** Element index of each parameter inside the group's blocks. */
  readonly starts: readonly number[];
  /** Steps taken by this group. */
  step: number;
}

/**
 * The base of every optimizer: param groups, packing, step options, `zeroGrad`, liveness and
 * `dispose`. A subclass says what it keeps per group (`layoutFor`, allocated in the same
 * transaction as the group's values and gradients) and what a step does.
 *
 * Every public call validates everything first, allocates through `allocating` (all or nothing),
 * then commits with writes that cannot fail: a call that throws has changed nothing.
 */
export abstract class Optimizer<
  H extends Hyperparameters,
  S extends OptimizerState = OptimizerState,
  L extends GroupLayout = GroupLayout,
  P extends GroupSpec<H> = GroupSpec<H>,
> {
  readonly engine: Engine;
  /** The defaults each new param group starts from. */
  readonly defaults: Readonly<H>;
  protected readonly layouts: L[] = [];
  protected readonly kind: string;
  /** The hyperparameter names, in rule order. */
  protected readonly keys: readonly (keyof H & string)[];
  /** The family's description; set first, so `layoutFor` may read it while the constructor packs. */
  protected readonly spec: P;
  private groups: readonly ParamGroup<H>[] = Object.freeze([]);
  private isDisposed = false;
  /** The first owned parameter disposed while this optimizer lives: every call refuses from then on. */
  private deadParam: Param | null = null;
  private inClosure = false;
  private maxNorm = Infinity;
  private normType: GradNormType = 2;
  private nonFiniteMode: NonFiniteMode = "proceed";
  private skipped = 0;
  private lastNorm: number | undefined = undefined;
  private measuredNorm: number | undefined = undefined;

  /**
   * Validates and packs the groups. `layoutFor` runs in here, before a subclass's own fields are
   * set: what it needs comes from the spec.
   */
  protected constructor(spec: P, params: readonly Param[] | readonly GroupInput<H>[], options: OptimizerOptions<H> = {}) {
    this.spec = spec;
    this.kind = spec.kind;
    this.keys = Object.keys(spec.rules) as (keyof H & string)[];
    const defaults = {} as H;
    for (const key of this.keys) defaults[key] = spec.rules[key].default;
    this.checkOptionKeys(options, true);
    const { maxGradNorm, gradNormType, nonFinite, ...hyper } = options;
    const merged = { ...defaults, ...hyper } as H;
    this.checkGroup(merged);
    this.defaults = Object.freeze(merged);
    if (maxGradNorm !== undefined) this.maxGradNorm = maxGradNorm;
    if (gradNormType !== undefined) this.gradNormType = gradNormType;
    if (nonFinite !== undefined) this.nonFinite = nonFinite;

    if (!Array.isArray(params) || params.length === 0) {
      throw new OptimError("INVALID_ARGUMENT", `${spec.kind}: expected a non-empty list of parameters or param groups`);
    }
    const groups: readonly GroupInput<H>[] = Param.is(params[0]) ? [{ params: params as readonly Param[] } as GroupInput<H>] : (params as readonly GroupInput<H>[]);
    const first = groups[0]?.params?.[0];
    if (!Param.is(first)) throw new OptimError("INVALID_ARGUMENT", `${spec.kind}: a param group needs a non-empty params list`);
    this.engine = first.engine;
    const seen = new Set<Param>();
    this.pack(groups.map((group) => this.prepareGroup(group, seen)));
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * The param groups. Their option values may be changed between steps (that is how schedules
   * work; they are validated before the next step writes anything); their structure may not:
   * the list is frozen, each group is sealed and its `params` read-only. Add a group with
   * `addParamGroup`.
   */
  get paramGroups(): readonly ParamGroup<H>[] {
    return this.groups;
  }

  /**
   * Clip the total gradient norm to this inside every step (Infinity: off, the default). The norm
   * is one read-only pass over each group's gradients; the coefficient min(1, maxGradNorm /
   * (norm + 1e-6)) then multiplies the gradient inside the update kernel, so the gradients in the
   * heap are left as they were and no scaling pass is needed. Same result as calling
   * `clipGradNorm(allParams, maxGradNorm)` before `step()`.
   */
  get maxGradNorm(): number {
    return this.maxNorm;
  }

  set maxGradNorm(value: number) {
    if (typeof value !== "number" || !(value >= 0)) invalid(this.kind, "maxGradNorm", value, "a number >= 0 (Infinity: no clipping)");
    this.maxNorm = value;
  }

  /** The norm `maxGradNorm` bounds: 2 (default) or Infinity (the largest absolute entry). */
  get gradNormType(): GradNormType {
    return this.normType;
  }

  set gradNormType(value: GradNormType) {
    if (value !== 2 && value !== Infinity) invalid(this.kind, "gradNormType", value, "2 or Infinity");
    this.normType = value;
  }

  /**
   * What a step does when a gradient entry is NaN or infinite, found by the same norm pass (a
   * float64 sum of squares of float32 values is finite exactly when every value is):
   * - "proceed" (default, torch's behaviour): update anyway; no norm pass unless clipping;
   * - "skip": update nothing, count the step in `skippedSteps` (as a loss scaler does);
   * - "throw": throw NON_FINITE naming the first bad entry; nothing is updated.
   */
  get nonFinite(): NonFiniteMode {
    return this.nonFiniteMode;
  }

  set nonFinite(value: NonFiniteMode) {
    if (!NON_FINITE_MODES.includes(value)) invalid(this.kind, "nonFinite", value, `one of ${NON_FINITE_MODES.map((m) => `"${m}"`).join(", ")}`);
    this.nonFiniteMode = value;
  }

  /** Steps skipped because of a non-finite gradient (nonFinite: "skip"). */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** The total gradient norm the last step measured, or undefined when it measured none. */
  get lastGradNorm(): number | undefined {
    return this.lastNorm;
  }

  /** Adds a param group (torch's add_param_group); options not given take the defaults. */
  addParamGroup(group: GroupInput<H>): void {
    this.assertLive();
    this.pack([this.prepareGroup(group, new Set())]);
  }

  /**
   * One optimization step over every group. With a closure, calls it first (it should compute the
   * loss and fill the gradients) and returns its loss.
   */
  abstract step(closure?: () => number): number | undefined;

  /** A parameter's state: the step count, a zero-copy view of each state buffer, and the family's per-group numbers. */
  abstract getState(param: Param): S;

  /** The optimizer's state as self-describing bytes (docs/state-format.md). */
  abstract saveState(): Uint8Array;

  /** Restores a state from `saveState()`; a failure throws STATE_INCOMPATIBLE with nothing changed. */
  abstract loadState(bytes: Uint8Array): void;

  /** Sets every gradient to zero: one fill per group. */
  zeroGrad(): void {
    this.assertLive();
    const kernels = this.engine.kernels;
    for (const layout of this.layouts) kernels.fill(layout.grad, layout.n, 0);
  }

  /** Frees the optimizer's state. The parameters stay usable and may join another optimizer. Idempotent; never throws. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.releaseState();
    for (const group of this.groups) for (const param of group.params) param.owner = null;
  }

  /** @internal ParamOwner: an owned parameter was disposed; from now on every call refuses (O(1) check). */
  paramDisposed(param: Param): void {
    this.deadParam ??= param;
  }

  /** @internal every entry point's first check: the engine, this optimizer and every owned parameter are live, in O(1). */
  assertLive(): void {
    this.engine.assertLive();
    if (this.isDisposed) throw new OptimError("DISPOSED", `${this.kind}: the optimizer has been disposed`);
    if (this.deadParam !== null) {
      throw new OptimError("DISPOSED", `${this.kind}: its parameter ${this.deadParam.label} has been disposed; dispose the optimizer (its other parameters stay usable)`);
    }
  }

  /**
   * @internal throws INVALID_ARGUMENT unless every group's option `keys` (default all) can be written:
   * checked before a load or a schedule writes any, since a user may have frozen a group.
   */
  assertGroupsWritable(keys: readonly string[] = this.keys): void {
    this.groups.forEach((group, i) => {
      for (const key of keys) {
        if (Object.getOwnPropertyDescriptor(group, key)?.writable !== true) {
          throw new OptimError("INVALID_ARGUMENT", `${this.kind}: option ${key} of param group ${i} has been made read-only; option values must stay writable`);
        }
      }
    });
  }

  /** The layout of a parameter's group, after checking the optimizer is live and owns it. */
  protected layoutOf(param: Param): L {
    this.assertLive();
    if (!Param.is(param) || param.owner !== this) {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}: ${Param.is(param) ? `parameter ${param.label}` : describe(param)} is not a parameter of this optimizer`);
    }
    return this.layouts[param.ownerGroup];
  }

  /**
   * The layout of a new group: the base fields plus what the family keeps per group, its blocks
   * taken with `take` (in the same transaction as the values and gradients of every group added).
   */
  protected abstract layoutFor(group: ParamGroup<H>, base: GroupLayout, take: Take): L;

  /** Called once per group after it is packed and committed (e.g. to fill state with its start value). */
  protected groupAdded(_index: number): void {}

  /** Frees what `layoutFor` took, on dispose. */
  protected abstract releaseState(): void;

  /** step's first checks: live, no step from inside a step's closure, and a closure is a function. */
  protected beginStep(closure: unknown): void {
    this.assertLive();
    if (this.inClosure) throw new OptimError("INVALID_ARGUMENT", `${this.kind}: step called from inside its own closure`);
    if (closure !== undefined && typeof closure !== "function") {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}: step takes a closure (a function returning the loss) or nothing, got ${describe(closure)}`);
    }
  }

  /**
   * Runs a step's closure: a nested `step` from inside it is refused, and afterwards the optimizer
   * and its parameters must still be live (the closure may have disposed them).
   */
  protected callClosure<T>(closure: () => T): T {
    this.inClosure = true;
    let result: T;
    try {
      result = closure();
    } finally {
      this.inClosure = false;
    }
    this.assertLive();
    return result;
  }

  /**
   * The gradient pass of the step options, before anything is written: the clipping coefficient to
   * apply (1 when not clipping), or "skip" when a non-finite gradient skips the step (counted here:
   * skipping is the step's commit). Throws NON_FINITE under nonFinite "throw". Measures nothing when
   * neither option is on. The norm measured becomes `lastGradNorm` at `commitGradientCheck`.
   */
  protected gradientCheck(): number | "skip" {
    this.measuredNorm = undefined;
    if (this.maxNorm === Infinity && this.nonFiniteMode === "proceed") return 1;
    const norm = totalNorm(this.engine.kernels, this.layouts, this.layouts.length, this.normType);
    if (!Number.isFinite(norm) && this.nonFiniteMode !== "proceed") {
      if (this.nonFiniteMode === "throw") {
        throw new OptimError("NON_FINITE", `${this.kind}: the gradient norm is ${norm}: ${describeNonFinite(this.groups.flatMap((g) => g.params))}; nothing was updated`);
      }
      this.lastNorm = norm;
      this.skipped++;
      return "skip";
    }
    this.measuredNorm = norm;
    return this.maxNorm === Infinity ? 1 : clipCoefficient(this.maxNorm, norm);
  }

  /** Part of a step's commit: the norm `gradientCheck` measured becomes `lastGradNorm`. */
  protected commitGradientCheck(): void {
    if (this.measuredNorm !== undefined) this.lastNorm = this.measuredNorm;
  }

  /** @internal checks every group's options, as the next step would. */
  protected checkGroups(): void {
    for (let i = 0; i < this.groups.length; i++) this.checkGroup(this.groups[i]);
  }

  /** Checks one group's options (rules, then the family's cross-option checks); throws INVALID_HYPERPARAMETER. */
  protected checkGroup(group: H): void {
    checkAll(this.kind, this.spec.rules, this.keys, group);
    this.spec.checkGroup?.(group, this.kind);
  }

  /** The step options as saved (Infinity as null). */
  protected savedSettings(): SavedSettings {
    return {
      maxGradNorm: this.maxNorm === Infinity ? null : this.maxNorm,
      gradNormType: this.normType === Infinity ? null : this.normType,
      nonFinite: this.nonFiniteMode,
      skippedSteps: this.skipped,
    };
  }

  /** Checks saved step options; throws INVALID_HYPERPARAMETER. */
  protected checkSettings(settings: SavedSettings): void {
    const kind = this.kind;
    if (settings.maxGradNorm !== null && !(settings.maxGradNorm >= 0)) invalid(kind, "maxGradNorm", settings.maxGradNorm, "a number >= 0");
    if (settings.gradNormType !== null && settings.gradNormType !== 2) invalid(kind, "gradNormType", settings.gradNormType, "2 or Infinity");
    if (!NON_FINITE_MODES.includes(settings.nonFinite as NonFiniteMode)) invalid(kind, "nonFinite", settings.nonFinite, NON_FINITE_MODES.join(", "));
  }

  /** Writes checked step options and options of every group (a load's commit; cannot fail). */
  protected applySettings(settings: SavedSettings, hyper: readonly Record<string, unknown>[]): void {
    hyper.forEach((values, i) => {
      const group = this.groups[i] as Record<string, unknown>;
      for (const key of this.keys) group[key] = values[key];
    });
    this.maxNorm = settings.maxGradNorm ?? Infinity;
    this.normType = settings.gradNormType ?? Infinity;
    this.nonFiniteMode = settings.nonFinite as NonFiniteMode;
    this.skipped = settings.skippedSteps;
    this.lastNorm = undefined;
  }

  private checkOptionKeys(options: object, optimizerWide = false): void {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}: options must be an object, got ${describe(options)}`);
    }
    for (const key of Object.keys(options)) {
      // Own keys of the rules only: an inherited name such as "toString" or "__proto__" is no option.
      if (key === "params" || Object.hasOwn(this.spec.rules, key)) continue;
      if (STEP_OPTION_KEYS.includes(key)) {
        if (optimizerWide) continue;
        invalid(this.kind, "option", key, "set on the optimizer, not on a param group (it applies to every group)");
      }
      invalid(this.kind, "option", key, `one of ${[...this.keys, ...STEP_OPTION_KEYS].join(", ")}`);
    }
  }

  private prepareGroup(input: GroupInput<H>, seen: Set<Param>): ParamGroup<H> {
    const kind = this.kind;
    if (input === null || typeof input !== "object" || !Array.isArray(input.params)) {
      throw new OptimError("INVALID_ARGUMENT", `${kind}: a param group must be an object with a params array`);
    }
    const params = copyList(input.params);
    if (params.length === 0) throw new OptimError("INVALID_ARGUMENT", `${kind}: a param group needs at least one parameter`);
    this.checkOptionKeys(input);
    for (const param of params) {
      if (!Param.is(param)) throw new OptimError("INVALID_ARGUMENT", `${kind}: ${describe(param)} is not a Param`);
      param.assertLive();
      if (param.engine !== this.engine) throw new OptimError("INVALID_ARGUMENT", `${kind}: parameter ${param.label} belongs to another engine`);
      if (seen.has(param) || param.owner === this) throw new OptimError("DUPLICATE_PARAM", `${kind}: parameter ${param.label} appears more than once`);
      if (param.owner !== null && !param.owner.disposed) {
        throw new OptimError("PARAM_IN_USE", `${kind}: parameter ${param.label} already belongs to a live optimizer; dispose that one first`);
      }
      this.spec.checkParam?.(param, kind);
      seen.add(param);
    }
    const group = { ...this.defaults, ...input, params: Object.freeze(params) } as ParamGroup<H>;
    this.checkGroup(group);
    // Option values stay writable; the group's keys and its params are fixed.
    Object.defineProperty(group, "params", { writable: false, configurable: false });
    return Object.seal(group);
  }

  /** Moves each group's values and gradients into two contiguous blocks, with the family's state: all groups, or none. */
  private pack(groups: readonly ParamGroup<H>[]): void {
    const planned = allocating(this.engine.heap, (take) =>
      groups.map((group) => {
        const n = group.params.reduce((total, p) => total + p.length, 0);
        const data = take(n, group.params.length);
        const grad = take(n, group.params.length);
        const starts: number[] = [];
        let at = 0;
        for (const param of group.params) {
          starts.push(at);
          at += param.length;
        }
        const layout = this.layoutFor(group, { n, data: data.offset, grad: grad.offset, starts, step: 0 }, take);
        return { data, grad, layout };
      }),
    );
    const freed: number[] = [];
    groups.forEach((group, g) => {
      const { data, grad, layout } = planned[g];
      const groupIndex = this.layouts.length;
      group.params.forEach((param, index) => {
        param.relocate(data, data.offset + 4 * layout.starts[index], grad, grad.offset + 4 * layout.starts[index], freed);
        param.owner = this;
        param.ownerGroup = groupIndex;
        param.ownerIndex = index;
      });
      this.layouts.push(layout);
    });
    this.engine.heap.freeAll(freed);
    const first = this.groups.length;
    this.groups = Object.freeze([...this.groups, ...groups]);
    for (let i = first; i < this.layouts.length; i++) this.groupAdded(i);
  }
}
