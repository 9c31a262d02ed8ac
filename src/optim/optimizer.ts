import type { Kernels } from "../backend/types.js";
import { clipCoefficient, describeNonFinite, totalNorm, type GradNormType } from "../clip.js";
import type { Engine } from "../engine.js";
import { describe, OptimError } from "../errors.js";
import { allocating } from "../memory/allocation.js";
import type { Block } from "../memory/block.js";
import { Param } from "../param.js";
import { copyList } from "../util/list.js";
import { decodeState, encodeState, type HyperValue, type SavedGroup, type SavedSettings, type StateHeader } from "../state/format.js";
import { matchState, type LoadPlan } from "../state/match.js";
import { checkAll, invalid, type Hyperparameters, type Rules } from "../validation.js";

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
 * parameter's state buffers, and the family's per-group numbers. Each family narrows it (AdamState…):
 * buffers the family always keeps are there from construction (zeros until the first step);
 * buffers that depend on options (amsgrad's, momentum's) are optional.
 */
export type OptimizerState = { step: number } & { [name: string]: Float32Array | number | undefined };

/** A family's constructor options: its hyperparameters (defaults for every group) and the step options. */
export type OptimizerOptions<H extends Hyperparameters> = Partial<H> & StepOptions;

const STEP_OPTION_KEYS: readonly string[] = ["maxGradNorm", "gradNormType", "nonFinite"];
const NON_FINITE_MODES: readonly NonFiniteMode[] = ["throw", "skip", "proceed"];

/** A param group as given to a constructor: its parameters and any per-group options. */
export type GroupInput<H extends Hyperparameters> = { params: readonly Param[] } & Partial<H>;

/** A param group as the optimizer holds it: every option filled in, and changeable between steps. */
export type ParamGroup<H extends Hyperparameters> = H & { readonly params: readonly Param[] };

/** What distinguishes one optimizer family from another, besides its update. */
export interface OptimizerSpec<H extends Hyperparameters> {
  /** The class name, in messages and saved state. */
  readonly kind: string;
  readonly rules: Rules<H>;
  /** Names of the per-element state buffers, in kernel argument order. */
  readonly slots: readonly string[];
  /** Checks that involve several options (e.g. Nesterov needs momentum); throws via `invalid`. */
  checkGroup?(group: H, owner: string): void;
  /** Whether a group with these options uses slot `k` (default: every slot). */
  slotActive?(group: H, k: number): boolean;
  /** The value slot `k` starts from (default 0). */
  slotInit?(group: H, k: number): number;
  /**
   * Slots are created with the optimizer (those its options use then), so `getState` has them
   * before the first step, unless they start from a value of the options (`slotInit`): those take
   * the options of their first step, as torch's lazy state does (Rprop's step size is the lr then).
   * true: create those with the optimizer too (torch's Adagrad fills its sums in the constructor).
   */
  readonly initAtConstruction?: boolean;
  /** Slots that never hold a negative number (second moments, sums, step sizes): a saved state that does is refused. */
  readonly nonNegativeSlots?: readonly string[];
  /** Names of per-group float64 numbers kept beside the step count (NAdam's μ product), saved and loaded with it. */
  readonly scalars?: readonly string[];
  /** Their values before the first step (default 1). */
  scalarInit?(group: H, name: string): number;
  /**
   * Rebuilds the scalars of a group from its options and step count, for states saved before
   * scalars were saved (format version 1). Throws STATE_INCOMPATIBLE when that is not possible.
   */
  rebuildScalars?(group: H, step: number): number[];
  /** The range of scalar k, e.g. "in [0, 1]", or undefined when `value` is in it (a saved state is checked). */
  checkScalar?(k: number, value: number): string | undefined;
}

/**
 * Where a group's storage lives. Parameters, gradients and each state slot of a group are packed
 * into contiguous blocks, so one kernel call updates the whole group however many tensors it has.
 */
export interface GroupLayout {
  /** Floats in the group. */
  readonly n: number;
  /** Byte offsets of the packed values and gradients. */
  readonly data: number;
  readonly grad: number;
  /** Byte offset of each state slot, 0 while the slot is unused. */
  readonly slots: number[];
  /** Steps taken by this group. */
  step: number;
  /** Bit k is set while slot k exists but no step has used it yet (a fresh buffer: torch's empty state). */
  fresh: number;
  /** Bit k is set when the current step's options use slot k (computed for missing and fresh slots only). */
  active: number;
  /** Element index of each parameter inside the group's blocks. */
  readonly starts: readonly number[];
  readonly slotBlocks: (Block | null)[];
  /** The family's named per-group numbers (OptimizerSpec.scalars), in float64. */
  readonly scalars: number[];
}

/**
 * The shared machinery of every optimizer: param groups with validated options, contiguous
 * packing, lazily created state slots, `step`, `zeroGrad`, state access and `dispose`.
 * A family supplies its spec and `update`, which runs its kernel once per group.
 *
 * Every public call validates everything first, allocates through `allocating` (all or nothing),
 * then commits with writes that cannot fail: a call that throws has changed nothing.
 */
export abstract class Optimizer<H extends Hyperparameters, S extends OptimizerState = OptimizerState> {
  readonly engine: Engine;
  /** The defaults each new param group starts from. */
  readonly defaults: Readonly<H>;
  protected readonly layouts: GroupLayout[] = [];
  /** Multiplies every gradient in this step (the clipping coefficient; 1 when not clipping). */
  protected clipCoef = 1;
  private readonly spec: OptimizerSpec<H>;
  private readonly keys: readonly (keyof H & string)[];
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

  protected constructor(spec: OptimizerSpec<H>, params: readonly Param[] | readonly GroupInput<H>[], options: OptimizerOptions<H> = {}) {
    this.spec = spec;
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
    if (typeof value !== "number" || !(value >= 0)) invalid(this.spec.kind, "maxGradNorm", value, "a number >= 0 (Infinity: no clipping)");
    this.maxNorm = value;
  }

  /** The norm `maxGradNorm` bounds: 2 (default) or Infinity (the largest absolute entry). */
  get gradNormType(): GradNormType {
    return this.normType;
  }

  set gradNormType(value: GradNormType) {
    if (value !== 2 && value !== Infinity) invalid(this.spec.kind, "gradNormType", value, "2 or Infinity");
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
    if (!NON_FINITE_MODES.includes(value)) invalid(this.spec.kind, "nonFinite", value, `one of ${NON_FINITE_MODES.map((m) => `"${m}"`).join(", ")}`);
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
   * One optimization step over every group. With a closure, calls it first (it should compute
   * the loss and fill the gradients) and returns its loss. Options are checked before the closure
   * runs and again after it (it may change them): an invalid value throws and changes nothing.
   */
  step(closure?: () => number): number | undefined {
    this.assertNotInClosure();
    if (closure !== undefined && typeof closure !== "function") {
      throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: step takes a closure (a function returning the loss) or nothing, got ${describe(closure)}`);
    }
    this.checkGroups();
    let loss: number | undefined;
    if (closure !== undefined) {
      loss = this.callClosure(closure);
      this.checkGroups(); // the closure may have changed options
    }
    const kernels = this.engine.kernels;
    // The norm pass comes before anything is written (slots included): a skipped or refused step
    // leaves no trace.
    let coef = 1;
    let norm: number | undefined;
    if (this.maxNorm !== Infinity || this.nonFiniteMode !== "proceed") {
      norm = totalNorm(kernels, this.layouts, this.layouts.length, this.normType);
      if (!Number.isFinite(norm) && this.nonFiniteMode !== "proceed") {
        if (this.nonFiniteMode === "throw") {
          throw new OptimError("NON_FINITE", `${this.spec.kind}: the gradient norm is ${norm}: ${describeNonFinite(this.groups.flatMap((g) => g.params))}; nothing was updated`);
        }
        this.lastNorm = norm;
        this.skipped++;
        return loss;
      }
      coef = this.maxNorm === Infinity ? 1 : clipCoefficient(this.maxNorm, norm);
    }
    // The last thing that can fail (out of memory), all or nothing; then the step is committed.
    this.createSlots();
    if (norm !== undefined) this.lastNorm = norm;
    this.clipCoef = coef;
    for (let i = 0; i < this.layouts.length; i++) {
      const layout = this.layouts[i];
      layout.step++;
      this.update(kernels, this.groups[i], layout);
      layout.fresh &= ~layout.active;
    }
    this.clipCoef = 1;
    return loss;
  }

  /** Sets every gradient to zero: one fill per group. */
  zeroGrad(): void {
    this.assertLive();
    const kernels = this.engine.kernels;
    for (const layout of this.layouts) kernels.fill(layout.grad, layout.n, 0);
  }

  /** A parameter's state: the step count, a zero-copy view of each state buffer in use, and the family's per-group numbers. */
  getState(param: Param): S {
    this.assertLive();
    if (!Param.is(param) || param.owner !== this) {
      throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: ${Param.is(param) ? `parameter ${param.label}` : describe(param)} is not a parameter of this optimizer`);
    }
    const layout = this.layouts[param.ownerGroup];
    const state: OptimizerState = { step: layout.step };
    const buffer = this.engine.heap.f32.buffer;
    const start = 4 * layout.starts[param.ownerIndex];
    this.spec.slots.forEach((name, k) => {
      if (layout.slots[k] !== 0) state[name] = new Float32Array(buffer, layout.slots[k] + start, param.length);
    });
    this.spec.scalars?.forEach((name, k) => (state[name] = layout.scalars[k]));
    return state as S;
  }

  /**
   * The optimizer's state as self-describing bytes (docs/state-format.md): the family, every
   * group's options, step count and per-group numbers, every state buffer, each parameter's name
   * and shape, the step options and skippedSteps, with a CRC-32. Parameter values are not included:
   * save them with the model, as with torch's optimizer state_dict. The bytes load on every backend.
   */
  saveState(): Uint8Array {
    this.assertLive();
    this.checkGroups();
    const heapBytes = new Uint8Array(this.engine.heap.f32.buffer);
    const buffers: Uint8Array[] = [];
    const groups = this.groups.map((group, i) => {
      const layout = this.layouts[i];
      const hyper: Record<string, HyperValue> = {};
      for (const key of this.keys) hyper[key] = group[key];
      const slots: string[] = [];
      const fresh: string[] = [];
      this.spec.slots.forEach((name, k) => {
        if (layout.slots[k] === 0) return;
        slots.push(name);
        if ((layout.fresh & (1 << k)) !== 0) fresh.push(name);
        buffers.push(heapBytes.subarray(layout.slots[k], layout.slots[k] + 4 * layout.n));
      });
      const params = group.params.map((p) => ({ name: p.name ?? null, shape: p.shape.slice() }));
      const saved: SavedGroup = { hyper, step: layout.step, params, slots };
      if (fresh.length > 0) saved.fresh = fresh;
      if (this.spec.scalars) saved.scalars = Object.fromEntries(this.spec.scalars.map((name, k) => [name, layout.scalars[k]]));
      return saved;
    });
    const settings: SavedSettings = {
      maxGradNorm: this.maxNorm === Infinity ? null : this.maxNorm,
      gradNormType: this.normType === Infinity ? null : this.normType,
      nonFinite: this.nonFiniteMode,
      skippedSteps: this.skipped,
    };
    const header: StateHeader = { kind: this.spec.kind, slots: this.spec.slots.slice(), settings, groups };
    return encodeState(header, buffers);
  }

  /**
   * Restores a state from `saveState()`, on any backend: group options (in place, so objects that
   * hold `paramGroups[i]` stay valid), step counts, per-group numbers, state buffers, step options
   * and skippedSteps. Parameters are matched by name when every one has a unique name (so their
   * creation order may differ), else by position. Everything is checked first — format, version,
   * checksum, family, group count, options, names, shapes, sizes, values a buffer can hold — and a
   * failure throws STATE_INCOMPATIBLE saying what is wrong, with nothing changed.
   */
  loadState(bytes: Uint8Array): void {
    this.assertLive();
    this.assertGroupsWritable();
    const decoded = decodeState(bytes);
    const plan = matchState(decoded, {
      kind: this.spec.kind,
      slots: this.spec.slots,
      nonNegativeSlots: this.spec.nonNegativeSlots ?? [],
      scalars: this.spec.scalars ?? [],
      hyperKeys: this.keys,
      groups: this.groups.map((group, i) => ({ params: group.params, starts: this.layouts[i].starts })),
      checkHyper: (hyper) => this.checkGroup(hyper as H),
      checkSettings: (settings) => this.checkSettings(settings),
      rebuildScalars: (hyper, step) => this.spec.rebuildScalars?.(hyper as H, step) ?? [],
      checkScalar: (k, value) => this.spec.checkScalar?.(k, value),
    });
    this.applyState(plan, decoded.payload);
  }

  /** Frees the state buffers. The parameters stay usable and may join another optimizer. Idempotent; never throws. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const layout of this.layouts) for (const block of layout.slotBlocks) block?.release();
    for (const group of this.groups) for (const param of group.params) param.owner = null;
  }

  /** @internal ParamOwner: an owned parameter was disposed; from now on every call refuses (O(1) check). */
  paramDisposed(param: Param): void {
    this.deadParam ??= param;
  }

  /**
   * The factor every kernel applies to the raw gradient (its `gScale` argument): the sign of
   * `maximize` times this step's clipping coefficient, so clipping costs no extra pass.
   */
  protected gScale(maximize: boolean): number {
    return maximize ? -this.clipCoef : this.clipCoef;
  }

  /** Runs the family's kernel over one group; `layout.step` already counts this step. */
  protected abstract update(kernels: Kernels, group: ParamGroup<H>, layout: GroupLayout): void;

  /** step's first check: assertLive, and no step from inside a step's closure. */
  protected assertNotInClosure(): void {
    this.assertLive();
    if (this.inClosure) throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: step called from inside its own closure`);
  }

  /** @internal every entry point's first check: the engine, this optimizer and every owned parameter are live, in O(1). */
  assertLive(): void {
    this.engine.assertLive();
    if (this.isDisposed) throw new OptimError("DISPOSED", `${this.spec.kind}: the optimizer has been disposed`);
    if (this.deadParam !== null) {
      throw new OptimError("DISPOSED", `${this.spec.kind}: its parameter ${this.deadParam.label} has been disposed; dispose the optimizer (its other parameters stay usable)`);
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
   * @internal throws INVALID_ARGUMENT unless every group's option `keys` (default all) can be written:
   * checked before a load or a schedule writes any, since a user may have frozen a group.
   */
  assertGroupsWritable(keys: readonly string[] = this.keys): void {
    this.groups.forEach((group, i) => {
      for (const key of keys) {
        if (Object.getOwnPropertyDescriptor(group, key)?.writable !== true) {
          throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: option ${key} of param group ${i} has been made read-only; option values must stay writable`);
        }
      }
    });
  }

  /** @internal checks every group's options, as the next step would. */
  protected checkGroups(): void {
    for (let i = 0; i < this.groups.length; i++) this.checkGroup(this.groups[i]);
  }

  private checkOptionKeys(options: object, optimizerWide = false): void {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: options must be an object, got ${describe(options)}`);
    }
    for (const key of Object.keys(options)) {
      // Own keys of the rules only: an inherited name such as "toString" or "__proto__" is no option.
      if (key === "params" || Object.hasOwn(this.spec.rules, key)) continue;
      if (STEP_OPTION_KEYS.includes(key)) {
        if (optimizerWide) continue;
        invalid(this.spec.kind, "option", key, "set on the optimizer, not on a param group (it applies to every group)");
      }
      invalid(this.spec.kind, "option", key, `one of ${[...this.keys, ...STEP_OPTION_KEYS].join(", ")}`);
    }
  }

  private checkSettings(settings: SavedSettings): void {
    const kind = this.spec.kind;
    if (settings.maxGradNorm !== null && !(settings.maxGradNorm >= 0)) invalid(kind, "maxGradNorm", settings.maxGradNorm, "a number >= 0");
    if (settings.gradNormType !== null && settings.gradNormType !== 2) invalid(kind, "gradNormType", settings.gradNormType, "2 or Infinity");
    if (!NON_FINITE_MODES.includes(settings.nonFinite as NonFiniteMode)) invalid(kind, "nonFinite", settings.nonFinite, NON_FINITE_MODES.join(", "));
  }

  /**
   * Writes a checked state. Only the slot allocations can fail, and they come first, all or nothing.
   * A slot the state lacks is freed, or, when the loaded options use it and it is one created with
   * the optimizer, kept as a fresh buffer (a version-1 state saved before its first use). Slots saved
   * as fresh get their values and stay fresh.
   */
  private applyState(plan: LoadPlan, payload: Uint8Array): void {
    const heap = this.engine.heap;
    const keep = plan.groups.map((saved, i) => saved.slotOffsets.map((offset, k) => offset >= 0 || this.createdEarly(saved.hyper as H, k)));
    const created = allocating(heap, (take) =>
      plan.groups.map((saved, i) => saved.slotOffsets.map((_, k) => (keep[i][k] && this.layouts[i].slots[k] === 0 ? take(this.layouts[i].n) : null))),
    );
    // Taken after the allocations, which may have grown (and replaced) the heap's buffer.
    const heapBytes = new Uint8Array(heap.f32.buffer);
    plan.groups.forEach((saved, i) => {
      const layout = this.layouts[i];
      const group = this.groups[i] as Record<string, unknown>;
      for (const key of this.keys) group[key] = saved.hyper[key];
      layout.step = saved.step;
      layout.fresh = 0;
      saved.scalars.forEach((value, k) => (layout.scalars[k] = value));
      saved.slotOffsets.forEach((offset, k) => {
        const block = created[i][k];
        if (block !== null) {
          layout.slotBlocks[k] = block;
          layout.slots[k] = block.offset;
        }
        if (!keep[i][k]) {
          layout.slotBlocks[k]?.release();
          layout.slotBlocks[k] = null;
          layout.slots[k] = 0;
        } else if (offset < 0) {
          this.initSlot(i, k, block !== null);
        } else {
          for (const copy of saved.copies) {
            const from = offset + 4 * copy.from;
            heapBytes.set(payload.subarray(from, from + 4 * copy.length), layout.slots[k] + 4 * copy.to);
          }
          layout.fresh |= saved.fresh & (1 << k);
        }
      });
    });
    const { settings } = plan;
    this.maxNorm = settings.maxGradNorm ?? Infinity;
    this.normType = settings.gradNormType ?? Infinity;
    this.nonFiniteMode = settings.nonFinite as NonFiniteMode;
    this.skipped = settings.skippedSteps;
    this.lastNorm = undefined;
  }

  private checkGroup(group: H): void {
    checkAll(this.spec.kind, this.spec.rules, this.keys, group);
    this.spec.checkGroup?.(group, this.spec.kind);
  }

  private prepareGroup(input: GroupInput<H>, seen: Set<Param>): ParamGroup<H> {
    const kind = this.spec.kind;
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
      seen.add(param);
    }
    const group = { ...this.defaults, ...input, params: Object.freeze(params) } as ParamGroup<H>;
    this.checkGroup(group);
    // Option values stay writable; the group's keys and its params are fixed.
    Object.defineProperty(group, "params", { writable: false, configurable: false });
    return Object.seal(group);
  }

  /** Moves each group's values and gradients into two contiguous blocks: all groups, or none. */
  private pack(groups: readonly ParamGroup<H>[]): void {
    const blocks = allocating(this.engine.heap, (take) =>
      groups.map((group) => {
        const n = group.params.reduce((total, p) => total + p.length, 0);
        const slots = this.spec.slots.map((_, k) => (this.createdEarly(group, k) ? take(n) : null));
        return { n, data: take(n, group.params.length), grad: take(n, group.params.length), slots };
      }),
    );
    const slotCount = this.spec.slots.length;
    const freed: number[] = [];
    groups.forEach((group, g) => {
      const { n, data, grad, slots } = blocks[g];
      const groupIndex = this.layouts.length;
      const starts: number[] = [];
      let at = 0;
      group.params.forEach((param, index) => {
        param.relocate(data, data.offset + 4 * at, grad, grad.offset + 4 * at, freed);
        param.owner = this;
        param.ownerGroup = groupIndex;
        param.ownerIndex = index;
        starts.push(at);
        at += param.length;
      });
      this.layouts.push({
        n,
        data: data.offset,
        grad: grad.offset,
        slots: new Array<number>(slotCount).fill(0),
        slotBlocks: new Array<Block | null>(slotCount).fill(null),
        step: 0,
        fresh: 0,
        active: 0,
        starts,
        scalars: (this.spec.scalars ?? []).map((name) => this.spec.scalarInit?.(group, name) ?? 1),
      });
      slots.forEach((block, k) => {
        if (block === null) return;
        this.layouts[groupIndex].slotBlocks[k] = block;
        this.layouts[groupIndex].slots[k] = block.offset;
      });
    });
    this.engine.heap.freeAll(freed);
    const first = this.groups.length;
    this.groups = Object.freeze([...this.groups, ...groups]);
    for (let i = first; i < this.layouts.length; i++) {
      for (let k = 0; k < slotCount; k++) if (this.layouts[i].slots[k] !== 0) this.initSlot(i, k);
    }
  }

  /**
   * Creates the state slots the groups' current options need (once; e.g. when amsgrad is turned
   * on): all of them or, when the heap runs out, none. Records in each layout which slots this
   * step uses. Allocates nothing, not even a JS array, when every slot exists (the usual step).
   */
  private createSlots(): void {
    let missing = false;
    for (let i = 0; i < this.layouts.length; i++) {
      const layout = this.layouts[i];
      layout.active = 0;
      for (let k = 0; k < layout.slots.length; k++) {
        // A slot that exists and is not fresh needs nothing (the usual step: no call at all).
        if (layout.slots[k] !== 0 && (layout.fresh & (1 << k)) === 0) continue;
        if (!this.slotActive(this.groups[i], k)) continue;
        layout.active |= 1 << k;
        missing ||= layout.slots[k] === 0;
      }
    }
    if (!missing) return;
    const created = allocating(this.engine.heap, (take) => {
      const list: { group: number; k: number; block: Block }[] = [];
      this.layouts.forEach((layout, i) => {
        for (let k = 0; k < layout.slots.length; k++) if (layout.slots[k] === 0 && (layout.active & (1 << k)) !== 0) list.push({ group: i, k, block: take(layout.n) });
      });
      return list;
    });
    for (const { group, k, block } of created) {
      this.layouts[group].slotBlocks[k] = block;
      this.layouts[group].slots[k] = block.offset;
      this.initSlot(group, k);
    }
  }

  /** Fills a slot with its starting value (a new block is zero already) and marks it fresh (unused by any step). */
  private initSlot(group: number, k: number, zeroed = true): void {
    const layout = this.layouts[group];
    const init = this.spec.slotInit?.(this.groups[group], k) ?? 0;
    if (init !== 0 || !zeroed) this.engine.kernels.fill(layout.slots[k], layout.n, init);
    layout.fresh |= 1 << k;
  }

  private slotActive(group: H, k: number): boolean {
    return this.spec.slotActive?.(group, k) ?? true;
  }

  /** Whether slot k is created with the optimizer (and kept by a load that lacks it) under these options. */
  private createdEarly(group: H, k: number): boolean {
    return this.slotActive(group, k) && (this.spec.slotInit === undefined || this.spec.initAtConstruction === true);
  }
}
