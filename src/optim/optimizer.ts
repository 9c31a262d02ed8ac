import type { Kernels } from "../backend/types.js";
import type { Engine } from "../engine.js";
import { OptimError } from "../errors.js";
import { Block } from "../memory/block.js";
import { Param } from "../param.js";
import { checkAll, invalid, type Hyperparameters, type Rules } from "./hyper.js";

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

  protected constructor(spec: OptimizerSpec<H>, params: readonly Param[] | readonly GroupInput<H>[], options: Partial<H> = {}) {
    this.spec = spec;
    this.keys = Object.keys(spec.rules) as (keyof H & string)[];
    const defaults = {} as H;
    for (const key of this.keys) defaults[key] = spec.rules[key].default;
    this.checkOptionKeys(options);
    const merged = { ...defaults, ...options };
    this.checkGroup(merged);
    this.defaults = Object.freeze(merged);

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
    for (let i = 0; i < this.paramGroups.length; i++) this.ensureSlots(this.paramGroups[i], this.layouts[i]);
    const kernels = this.engine.kernels;
    for (let i = 0; i < this.paramGroups.length; i++) {
      const layout = this.layouts[i];
      layout.step++;
      this.update(kernels, this.paramGroups[i], layout);
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

  private checkOptionKeys(options: object): void {
    if (options === null || typeof options !== "object") {
      throw new OptimError("INVALID_ARGUMENT", `${this.spec.kind}: options must be an object`);
    }
    for (const key of Object.keys(options)) {
      if (key !== "params" && !(key in this.spec.rules)) {
        invalid(this.spec.kind, "option", key, `one of ${this.keys.join(", ")}`);
      }
    }
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
