import type { Kernels } from "../backend/types.js";
import { clipCoefficient, describeNonFinite, totalNorm, type GradNormType } from "../clip.js";
import type { Engine } from "../engine.js";
import { OptimError } from "../errors.js";
import { Block } from "../memory/block.js";
import { Param } from "../param.js";
import { decodeState, encodeState, type HyperValue, type SavedSettings, type StateHeader } from "../state/format.js";
import { matchState, type LoadPlan } from "../state/match.js";
import { checkAll, invalid, type Hyperparameters, type Rules } from "./hyper.js";

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
  /** Bit k is set while slot k was created during the current step (a fresh buffer). */
  fresh: number;
  /** Element index of each parameter inside the group's blocks. */
  readonly starts: readonly number[];
  readonly slotBlocks: (Block | null)[];
}

/**
 * The shared machinery of every optimizer: param groups with validated options, contiguous
 * packing, lazily created state slots, `step`, `zeroGrad`, state access and `dispose`.
 * A family supplies its spec and `update`, which runs its kernel once per group.
 */
export abstract class Optimizer<H extends Hyperparameters> {
  readonly engine: Engine;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** The defaults each new param group starts from. */
  readonly defaults: Readonly<H>;
  protected readonly layouts: GroupLayout[] = [];
  /** Multiplies every gradient in this step (the clipping coefficient; 1 when not clipping). */
  protected clipCoef = 1;
  private readonly spec: OptimizerSpec<H>;
  private readonly keys: readonly (keyof H & string)[];
  private isDisposed = false;
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
    const groups: readonly GroupInput<H>[] = params[0] instanceof Param ? [{ params: params as readonly Param[] } as GroupInput<H>] : (params as readonly GroupInput<H>[]);
    const first = groups[0]?.params?.[0];
    if (!(first instanceof Param)) throw new OptimError("INVALID_ARGUMENT", `${spec.kind}: a param group needs a non-empty params list`);
    this.engine = first.engine;
    // Check every group before packing any, so a rejected constructor moves nothing.
    const seen = new Set<Param>();
    const filled = groups.map((group) => this.prepareGroup(group, seen));
    for (const group of filled) this.pack(group);
  }

  get disposed(): boolean {
    return this.isDisposed;
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
    const seen = new Set<Param>(this.paramGroups.flatMap((g) => g.params));
    this.pack(this.prepareGroup(group, seen));
  }

  /**
   * One optimization step over every group. With a closure, calls it first (it should compute
   * the loss and fill the gradients) and returns its loss. Options are checked before anything
   * is written: an invalid value set between steps throws and changes nothing.
   */
  step(closure?: () => number): number | undefined {
    this.assertLive();
    const loss = closure?.();
    for (let i = 0; i < this.paramGroups.length; i++) this.checkGroup(this.paramGroups[i]);
    const kernels = this.engine.kernels;
    // The norm pass comes before anything is written (slots included), so a skipped or refused
    // step leaves no trace: a slot created here would make a later step miss its "first step".
    if (this.maxNorm !== Infinity || this.nonFiniteMode !== "proceed") {
      const norm = totalNorm(kernels, this.layouts, this.layouts.length, this.normType);
      this.lastNorm = norm;
      if (!Number.isFinite(norm) && this.nonFiniteMode !== "proceed") {
        if (this.nonFiniteMode === "skip") {
          this.skipped++;
          return loss;
        }
        throw new OptimError("NON_FINITE", `${this.spec.kind}: the gradient norm is ${norm}: ${describeNonFinite(this.paramGroups.flatMap((g) => g.params))}; nothing was updated`);
      }
      this.clipCoef = this.maxNorm === Infinity ? 1 : clipCoefficient(this.maxNorm, norm);
    }
    try {
      for (let i = 0; i < this.paramGroups.length; i++) this.ensureSlots(this.paramGroups[i], this.layouts[i]);
      for (let i = 0; i < this.paramGroups.length; i++) {
        const layout = this.layouts[i];
        layout.step++;
        this.update(kernels, this.paramGroups[i], layout);
      }
    } finally {
      this.clipCoef = 1;
    }
    return loss;
  }

  /** Sets every gradient to zero: one fill per group. */
  zeroGrad(): void {
    this.assertLive();
    const kernels = this.engine.kernels;
    for (const layout of this.layouts) kernels.fill(layout.grad, layout.n, 0);
  }

  /** A parameter's state: the step count and a zero-copy view of each state buffer in use. */
  getState(param: Param): { step: number } & Record<string, Float32Array | number> {
    this.assertLive();
    for (let i = 0; i < this.paramGroups.length; i++) {
      const index = this.paramGroups[i].params.indexOf(param);
      if (index < 0) continue;
      const layout = this.layouts[i];
      const state: { step: number } & Record<string, Float32Array | number> = { step: layout.step };
      const heap = this.engine.heap.f32;
      this.spec.slots.forEach((name, k) => {
        if (layout.slots[k] !== 0) {
          state[name] = new Float32Array(heap.buffer, layout.slots[k] + 4 * layout.starts[index], param.length);
        }
      });
      return state;
    }
    throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: parameter ${param.label} is not in this optimizer`);
  }

  /**
   * The optimizer's state as self-describing bytes (docs/state-format.md): the family, every
   * group's options and step count, every state buffer, each parameter's name and shape, the step
   * options and skippedSteps, with a CRC-32. Parameter values are not included: save them with the
   * model, as with torch's optimizer state_dict. The bytes load on every backend.
   */
  saveState(): Uint8Array {
    this.assertLive();
    for (let i = 0; i < this.paramGroups.length; i++) this.checkGroup(this.paramGroups[i]);
    const heapBytes = new Uint8Array(this.engine.heap.f32.buffer);
    const buffers: Uint8Array[] = [];
    const groups = this.paramGroups.map((group, i) => {
      const layout = this.layouts[i];
      const hyper: Record<string, HyperValue> = {};
      for (const key of this.keys) hyper[key] = group[key];
      const slots: string[] = [];
      this.spec.slots.forEach((name, k) => {
        if (layout.slots[k] === 0) return;
        slots.push(name);
        buffers.push(heapBytes.subarray(layout.slots[k], layout.slots[k] + 4 * layout.n));
      });
      const params = group.params.map((p) => ({ name: p.name ?? null, shape: p.shape.slice() }));
      return { hyper, step: layout.step, params, slots };
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
   * hold `paramGroups[i]` stay valid), step counts, state buffers, step options and skippedSteps.
   * Parameters are matched by name when every one has a unique name (so their creation order may
   * differ), else by position. Everything is checked first — format, version, checksum, family,
   * group count, options, names, shapes, sizes — and a failure throws STATE_INCOMPATIBLE saying
   * what is wrong, with nothing changed.
   */
  loadState(bytes: Uint8Array): void {
    this.assertLive();
    const decoded = decodeState(bytes);
    const plan = matchState(decoded, {
      kind: this.spec.kind,
      slots: this.spec.slots,
      hyperKeys: this.keys,
      groups: this.paramGroups.map((group, i) => ({ params: group.params, starts: this.layouts[i].starts })),
      checkHyper: (hyper) => this.checkGroup(hyper as H),
      checkSettings: (settings) => this.checkSettings(settings),
    });
    this.applyState(plan, decoded.payload);
  }

  /** Frees the state buffers. The parameters stay usable and may join another optimizer. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const layout of this.layouts) for (const block of layout.slotBlocks) block?.release();
    for (const group of this.paramGroups) for (const param of group.params) param.owner = null;
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

  /** @internal */
  assertLive(): void {
    this.engine.assertLive();
    if (this.isDisposed) throw new OptimError("DISPOSED", `${this.spec.kind}: the optimizer has been disposed`);
  }

  private checkOptionKeys(options: object, optimizerWide = false): void {
    if (options === null || typeof options !== "object") {
      throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: options must be an object`);
    }
    for (const key of Object.keys(options)) {
      if (key === "params" || key in this.spec.rules) continue;
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

  /** Writes a checked state. Only the slot allocations can fail, and they are undone if one does. */
  private applyState(plan: LoadPlan, payload: Uint8Array): void {
    const allocated: { layout: GroupLayout; k: number; block: Block }[] = [];
    try {
      plan.groups.forEach((saved, i) => {
        const layout = this.layouts[i];
        saved.slotOffsets.forEach((offset, k) => {
          if (offset >= 0 && layout.slots[k] === 0) allocated.push({ layout, k, block: Block.alloc(this.engine.heap, layout.n) });
        });
      });
    } catch (error) {
      for (const { block } of allocated) block.release();
      throw error;
    }
    for (const { layout, k, block } of allocated) {
      layout.slotBlocks[k] = block;
      layout.slots[k] = block.offset;
    }
    // Taken after the allocations, which may have grown (and replaced) the heap's buffer.
    const heapBytes = new Uint8Array(this.engine.heap.f32.buffer);
    plan.groups.forEach((saved, i) => {
      const layout = this.layouts[i];
      const group = this.paramGroups[i] as Record<string, unknown>;
      for (const key of this.keys) group[key] = saved.hyper[key];
      layout.step = saved.step;
      layout.fresh = 0;
      saved.slotOffsets.forEach((offset, k) => {
        if (offset < 0) {
          layout.slotBlocks[k]?.release();
          layout.slotBlocks[k] = null;
          layout.slots[k] = 0;
          return;
        }
        for (const copy of saved.copies) {
          const from = offset + 4 * copy.from;
          heapBytes.set(payload.subarray(from, from + 4 * copy.length), layout.slots[k] + 4 * copy.to);
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
    this.checkOptionKeys(input);
    for (const param of input.params) {
      if (!(param instanceof Param)) throw new OptimError("INVALID_ARGUMENT", `${kind}: ${String(param)} is not a Param`);
      param.assertLive();
      if (param.engine !== this.engine) throw new OptimError("INVALID_ARGUMENT", `${kind}: parameter ${param.label} belongs to another engine`);
      if (seen.has(param)) throw new OptimError("DUPLICATE_PARAM", `${kind}: parameter ${param.label} appears more than once`);
      if (param.owner !== null && !param.owner.disposed) {
        throw new OptimError("PARAM_IN_USE", `${kind}: parameter ${param.label} already belongs to a live optimizer; dispose that one first`);
      }
      seen.add(param);
    }
    const group = { ...this.defaults, ...input, params: Object.freeze(input.params.slice()) } as ParamGroup<H>;
    this.checkGroup(group);
    return group;
  }

  /** Moves the group's values and gradients into two contiguous blocks. */
  private pack(group: ParamGroup<H>): void {
    const heap = this.engine.heap;
    const params = group.params;
    const n = params.reduce((total, p) => total + p.length, 0);
    const dataBlock = Block.alloc(heap, n, params.length);
    let gradBlock: Block;
    try {
      gradBlock = Block.alloc(heap, n, params.length);
    } catch (error) {
      heap.free(dataBlock.offset);
      throw error;
    }
    const starts: number[] = [];
    let at = 0;
    for (const param of params) {
      param.relocate(dataBlock, dataBlock.offset + 4 * at, gradBlock, gradBlock.offset + 4 * at);
      param.owner = this;
      starts.push(at);
      at += param.length;
    }
    const slotCount = this.spec.slots.length;
    this.paramGroups.push(group);
    this.layouts.push({
      n,
      data: dataBlock.offset,
      grad: gradBlock.offset,
      slots: new Array<number>(slotCount).fill(0),
      slotBlocks: new Array<Block | null>(slotCount).fill(null),
      step: 0,
      fresh: 0,
      starts,
    });
  }

  /** Creates the state slots the group's current options need (once; e.g. when amsgrad is turned on). */
  private ensureSlots(group: ParamGroup<H>, layout: GroupLayout): void {
    layout.fresh = 0;
    for (let k = 0; k < layout.slots.length; k++) {
      if (layout.slots[k] !== 0 || !(this.spec.slotActive?.(group, k) ?? true)) continue;
      const block = Block.alloc(this.engine.heap, layout.n);
      layout.slotBlocks[k] = block;
      layout.slots[k] = block.offset;
      layout.fresh |= 1 << k;
      const init = this.spec.slotInit?.(group, k) ?? 0;
      if (init !== 0) this.engine.kernels.fill(block.offset, layout.n, init);
    }
  }
}
