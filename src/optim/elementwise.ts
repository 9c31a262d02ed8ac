import { describe, OptimError } from "../errors.js";
import type { Kernels } from "../backend/contract.js";
import { allocating, type Take } from "../memory/allocation.js";
import type { Block } from "../memory/block.js";
import { Param } from "../param.js";
import { decodeState, type HyperValue } from "../state/format.js";
import { slotApplies, slotBytes, slotLength, type SlotDescription, type SlotDtype, type SlotLayout } from "../state/layout.js";
import { matchState, type LoadPlan } from "../state/match.js";
import { convertSlot, copyRuns, writeState, type GroupSnapshot } from "../state/persistence.js";
import type { Hyperparameters } from "../validation.js";
import { halvesOf } from "../backend/js/storage.js";
import { toBf16 } from "../state/bfloat16.js";
import { dequantizeRun, storeValues } from "../state/int8.js";
import { int8ScalesAt, SCRATCH_BYTES } from "../backend/js/int8.js";
import { Optimizer, type GroupInput, type GroupLayout, type GroupSpec, type OptimizerOptions, type OptimizerState, type ParamGroup } from "./optimizer.js";
import { roundingKey, stateStorage, withoutStorageOptions, type StateStorage, type StateStorageOptions } from "./storage.js";

/** A slot as a family declares it: a name (one float32 per element), or a name with its layout. */
export type SlotSpec = string | { readonly name: string; readonly layout: SlotLayout };

/** What distinguishes one kernel-step family from another, besides its update. */
export interface OptimizerSpec<H extends Hyperparameters> extends GroupSpec<H> {
  /** The state slots, in kernel argument order. */
  readonly slots: readonly SlotSpec[];
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
  /**
   * true when the family's `update` calls its bfloat16 kernel whenever `rounding` is set: only then
   * may its state be stored as bfloat16 (`stateDtype`). A family without it refuses bfloat16, since its
   * float32 kernel would run over 2-byte slots.
   */
  readonly bfloat16?: boolean;
  /**
   * true when the family's `update` calls its int8 kernel whenever the layout has `int8Scratch`: only
   * then may its state be stored as int8. Slots in `nonNegativeSlots` use the unsigned codes.
   */
  readonly int8?: boolean;
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

/** An element-wise family's constructor options: hyperparameters, step options and state storage. */
export type ElementwiseOptions<H extends Hyperparameters> = OptimizerOptions<H> & StateStorageOptions;

/** The stochastic-rounding arguments of a bfloat16 kernel call. */
export interface BF16Rounding {
  readonly stochastic: boolean;
  key: number;
}

/** A spec as one optimizer holds it: with its state storage. */
interface StoredSpec<H extends Hyperparameters> extends OptimizerSpec<H> {
  readonly storage: StateStorage;
}

/** A group's layout with its state: the slots beside the packed values and gradients, and the family's numbers. */
export interface SlotsLayout extends GroupLayout {
  /** Byte offset of each state slot, 0 while the slot is unused. */
  readonly slots: number[];
  readonly slotBlocks: (Block | null)[];
  /** Floats in each slot (its layout over the group's parameters). */
  readonly slotLengths: readonly number[];
  /** Per slot, the index of each parameter's first number in it (`starts` for per-element slots). */
  readonly slotStarts: readonly (readonly number[])[];
  /** Bit k is set while slot k exists but no step has used it yet (a fresh buffer: torch's empty state). */
  fresh: number;
  /** Bit k is set when the current step's options use slot k (computed for missing and fresh slots only). */
  active: number;
  /** The family's named per-group numbers (OptimizerSpec.scalars), in float64. */
  readonly scalars: number[];
  /** int8 state only: the int8 kernels' work space, 12,480 bytes per thread the engine may split a call over. */
  readonly int8Scratch: Block | null;
}

const descriptions = new WeakMap<object, readonly SlotDescription[]>();

/** A spec's slots with their layouts and storage types spelled out (the spec's storage, else float32). */
export function slotDescriptions(spec: { readonly slots: readonly SlotSpec[]; readonly storage?: StateStorage }): readonly SlotDescription[] {
  let list = descriptions.get(spec);
  if (list === undefined) {
    const dtype = spec.storage?.dtype ?? "float32";
    list = spec.slots.map((slot) => (typeof slot === "string" ? { name: slot, layout: "element", dtype } : { ...slot, dtype }));
    descriptions.set(spec, list);
  }
  return list;
}

/** Where int8 slot k's block scales start (after its codes); 0 when the slot is absent. */
export function scalesOf(layout: SlotsLayout, k: number): number {
  const at = layout.slots[k];
  return at === 0 ? 0 : at + int8ScalesAt(layout.slotLengths[k]);
}

/** Floats of heap a slot of `length` numbers takes (at least one: a present slot's offset is never 0). */
function slotFloats(length: number, dtype: SlotDtype): number {
  return Math.max(1, Math.ceil(slotBytes(dtype, length) / 4));
}

/** A copy of bfloat16 patterns as the float32 numbers they stand for (exact), e.g. of a `getState` view. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  if (!(bits instanceof Uint16Array)) throw new OptimError("INVALID_ARGUMENT", `bfloat16ToFloat32: expected a Uint16Array of bfloat16 patterns (getStateBits), got ${describe(bits)}`);
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out;
}

/**
 * An optimizer whose step is a kernel over each group's packed blocks, with state in slots beside
 * them: every family but L-BFGS. A family supplies its spec and `update`, which runs its kernel once
 * per group (or per parameter, for one whose state is per row and column).
 *
 * Slots are created with the optimizer, or by the first step whose options use them (amsgrad turned
 * on), all or none; `getState` views them; `saveState`/`loadState` move them (src/state/persistence.ts).
 */
export abstract class ElementwiseOptimizer<
  H extends Hyperparameters,
  S extends OptimizerState = OptimizerState,
  L extends SlotsLayout = SlotsLayout,
> extends Optimizer<H, S, L, StoredSpec<H>> {
  /** Multiplies every gradient in this step (the clipping coefficient; 1 when not clipping). */
  protected clipCoef = 1;
  /**
   * null for float32 state; for bfloat16, what `update` passes its family's bfloat16 kernel after its
   * float32 twin's arguments (then the group's `layout.data`): whether to round stochastically, and the
   * key of the group and step it runs (one object, updated in place: a step allocates nothing).
   */
  protected readonly rounding: BF16Rounding | null;

  /**
   * Checks the storage options (stateDtype, stochasticRounding, roundingSeed), then the group layer
   * packs the groups with slots of that storage.
   */
  protected constructor(spec: OptimizerSpec<H>, params: readonly Param[] | readonly GroupInput<H>[], options: ElementwiseOptions<H> = {}) {
    const storage = stateStorage(spec.kind, options, spec.bfloat16 === true, spec.int8 === true);
    super({ ...spec, storage }, params, withoutStorageOptions(options) as OptimizerOptions<H>);
    this.rounding = storage.dtype === "bfloat16" ? { stochastic: storage.stochastic, key: 0 } : null;
  }

  /** How state slots are stored: "float32" or "bfloat16" (the constructor's `stateDtype`). */
  get stateDtype(): SlotDtype {
    return this.spec.storage.dtype;
  }

  /** Whether bfloat16 state rounds stochastically (the constructor's option). */
  get stochasticRounding(): boolean {
    return this.spec.storage.stochastic;
  }

  /** The seed of stochastic rounding (the constructor's option). */
  get roundingSeed(): number {
    return this.spec.storage.seed;
  }

  /** Resident bytes of the optimizer's state: the heap blocks its slots hold now (values and gradients not included). */
  get stateBytes(): number {
    this.assertLive();
    const heap = this.engine.heap;
    let bytes = 0;
    for (const layout of this.layouts) {
      for (const block of layout.slotBlocks) if (block !== null) bytes += heap.blockBytes(block.offset);
      if (layout.int8Scratch !== null) bytes += heap.blockBytes(layout.int8Scratch.offset);
    }
    return bytes;
  }

  private get bf16(): boolean {
    return this.spec.storage.dtype === "bfloat16";
  }

  /**
   * One optimization step over every group. With a closure, calls it first (it should compute
   * the loss and fill the gradients) and returns its loss. Options are checked before the closure
   * runs and again after it (it may change them): an invalid value throws and changes nothing.
   */
  step(closure?: () => number): number | undefined {
    this.beginStep(closure);
    this.checkGroups();
    let loss: number | undefined;
    if (closure !== undefined) {
      loss = this.callClosure(closure);
      this.checkGroups(); // the closure may have changed options
    }
    // The gradient pass comes before anything is written (slots included): a skipped or refused
    // step leaves no trace.
    const coef = this.gradientCheck();
    if (coef === "skip") return loss;
    // The last thing that can fail (out of memory), all or nothing; then the step is committed.
    this.createSlots();
    this.commitGradientCheck();
    const kernels = this.engine.kernels;
    const groups = this.paramGroups;
    this.clipCoef = coef;
    const rounding = this.rounding;
    for (let i = 0; i < this.layouts.length; i++) {
      const layout = this.layouts[i];
      layout.step++;
      if (rounding?.stochastic) rounding.key = roundingKey(this.spec.storage.seed, i, layout.step);
      this.update(kernels, groups[i], layout);
      layout.fresh &= ~layout.active;
    }
    this.clipCoef = 1;
    return loss;
  }

  /**
   * A parameter's state: the step count, each state buffer it has, and the family's per-group
   * numbers. float32 buffers are zero-copy views of the heap (writes change the state); bfloat16
   * buffers (stateDtype "bfloat16") are dequantized copies, exact, as Float32Array (writes change
   * nothing: load a state to set one). `getStateBits` gives zero-copy views of the stored patterns.
   */
  getState(param: Param): S {
    const layout = this.layoutOf(param);
    const state: OptimizerState = { step: layout.step };
    for (const [name, view] of Object.entries(this.getStateBits(param))) {
      if (view instanceof Uint8Array) state[name] = this.int8Values(layout, name, param, view);
      else state[name] = view instanceof Uint16Array ? bfloat16ToFloat32(view) : view;
    }
    this.spec.scalars?.forEach((name, k) => (state[name] = layout.scalars[k]));
    return state as S;
  }

  /**
   * Zero-copy views of a parameter's stored state, by slot name: Uint16Array bfloat16 patterns
   * (stateDtype "bfloat16"; each the top half of a float32), Uint8Array int8 codes (stateDtype
   * "int8": the scales are per 256 numbers of the group's slot, after its codes, not in the view),
   * or Float32Array.
   */
  getStateBits(param: Param): Record<string, Float32Array | Uint16Array | Uint8Array> {
    const layout = this.layoutOf(param);
    const out: Record<string, Float32Array | Uint16Array | Uint8Array> = {};
    const buffer = this.engine.heap.f32.buffer;
    const dtype = this.spec.storage.dtype;
    slotDescriptions(this.spec).forEach(({ name, layout: slotLayout }, k) => {
      if (layout.slots[k] === 0 || !slotApplies(slotLayout, param.shape)) return;
      const start = layout.slots[k] + (dtype === "float32" ? 4 : dtype === "bfloat16" ? 2 : 1) * layout.slotStarts[k][param.ownerIndex];
      const length = slotLength(slotLayout, param.shape);
      out[name] = dtype === "bfloat16" ? new Uint16Array(buffer, start, length) : dtype === "int8" ? new Uint8Array(buffer, start, length) : new Float32Array(buffer, start, length);
    });
    return out;
  }

  /** A parameter's int8 slot `name` dequantized (a copy): VALUE[code] · its block's scale. */
  private int8Values(layout: L, name: string, param: Param, codes: Uint8Array): Float32Array {
    const k = slotDescriptions(this.spec).findIndex((slot) => slot.name === name);
    return dequantizeRun(this.engine.heap.f32, layout.slots[k], layout.slotLengths[k], layout.slotStarts[k][param.ownerIndex], codes, this.isSigned(k));
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
    const slots = slotDescriptions(this.spec);
    const groups = this.paramGroups.map((group, i): GroupSnapshot => {
      const layout = this.layouts[i];
      const hyper: Record<string, HyperValue> = {};
      for (const key of this.keys) hyper[key] = group[key];
      const present = slots.flatMap(({ name }, k) => {
        if (layout.slots[k] === 0) return [];
        const bytes = heapBytes.subarray(layout.slots[k], layout.slots[k] + slotBytes(this.spec.storage.dtype, layout.slotLengths[k]));
        return [{ name, fresh: (layout.fresh & (1 << k)) !== 0, bytes }];
      });
      const scalars = this.spec.scalars && Object.fromEntries(this.spec.scalars.map((name, k) => [name, layout.scalars[k]]));
      return { hyper, step: layout.step, params: group.params, slots: present, scalars };
    });
    return writeState(this.kind, slots, this.savedSettings(), groups);
  }

  /**
   * Restores a state from `saveState()`, on any backend: group options (in place, so objects that
   * hold `paramGroups[i]` stay valid), step counts, per-group numbers, state buffers, step options
   * and skippedSteps. Parameters are matched by name when every one has a unique name (so their
   * creation order may differ), else by position. Everything is checked first — format, version,
   * checksum, family, slots, group count, options, names, shapes, sizes, values a buffer can hold —
   * and a failure throws STATE_INCOMPATIBLE saying what is wrong, with nothing changed.
   */
  loadState(bytes: Uint8Array): void {
    this.assertLive();
    this.assertGroupsWritable();
    const decoded = decodeState(bytes);
    const plan = matchState(decoded, {
      kind: this.kind,
      slots: slotDescriptions(this.spec),
      nonNegativeSlots: this.spec.nonNegativeSlots ?? [],
      scalars: this.spec.scalars ?? [],
      hyperKeys: this.keys,
      groups: this.paramGroups.map((group, i) => ({ params: group.params, slotStarts: this.layouts[i].slotStarts })),
      checkHyper: (hyper) => this.checkGroup(hyper as H),
      checkSettings: (settings) => this.checkSettings(settings),
      rebuildScalars: (hyper, step) => this.spec.rebuildScalars?.(hyper as H, step) ?? [],
      checkScalar: (k, value) => this.spec.checkScalar?.(k, value),
    });
    this.applyState(plan, decoded.payload);
  }

  /**
   * The factor every kernel applies to the raw gradient (its `gScale` argument): the sign of
   * `maximize` times this step's clipping coefficient, so clipping costs no extra pass.
   */
  protected gScale(maximize: boolean): number {
    return maximize ? -this.clipCoef : this.clipCoef;
  }

  /** Runs the family's kernel over one group; `layout.step` already counts this step. */
  protected abstract update(kernels: Kernels, group: ParamGroup<H>, layout: L): void;

  /**
   * A group's slots. A family whose layout has more (Muon's scratch) overrides this, spreading
   * `slotsLayoutFor` into its own; for the others L is SlotsLayout.
   */
  protected layoutFor(group: ParamGroup<H>, base: GroupLayout, take: Take): L {
    return this.slotsLayoutFor(group, base, take) as L;
  }

  /** The slots of a new group: their lengths and starts, and the blocks of those created with the optimizer. */
  protected slotsLayoutFor(group: ParamGroup<H>, base: GroupLayout, take: Take): SlotsLayout {
    const slots = slotDescriptions(this.spec);
    const slotStarts = slots.map(({ layout }) => (layout === "element" ? base.starts : startsOf(group.params, layout)));
    const slotLengths = slots.map(({ layout }, k) => (layout === "element" ? base.n : lengthOf(group.params, layout, slotStarts[k])));
    // A slot no parameter of the group uses (rows of a group of vectors) still gets a block, of
    // one float: present means allocated, and the block's offset is never 0.
    const slotBlocks = slots.map((slot, k) => (this.createdEarly(group, k) ? take(slotFloats(slotLengths[k], slot.dtype)) : null));
    const int8Scratch = this.spec.storage.dtype === "int8" ? take((this.engine.maxSplit * SCRATCH_BYTES) / 4) : null;
    return {
      ...base,
      slots: slotBlocks.map((block) => block?.offset ?? 0),
      slotBlocks,
      slotLengths,
      slotStarts,
      fresh: 0,
      active: 0,
      scalars: (this.spec.scalars ?? []).map((name) => this.spec.scalarInit?.(group, name) ?? 1),
      int8Scratch,
    };
  }

  protected override groupAdded(index: number): void {
    const layout = this.layouts[index];
    for (let k = 0; k < layout.slots.length; k++) if (layout.slots[k] !== 0) this.initSlot(index, k);
  }

  protected releaseState(): void {
    for (const layout of this.layouts) {
      for (const block of layout.slotBlocks) block?.release();
      layout.int8Scratch?.release();
    }
  }

  /**
   * Writes a checked state. Only the slot allocations can fail, and they come first, all or nothing.
   * A slot the state lacks is freed, or, when the loaded options use it and it is one created with
   * the optimizer, kept as a fresh buffer (a version-1 state saved before its first use). Slots saved
   * as fresh get their values and stay fresh.
   */
  private applyState(plan: LoadPlan, payload: Uint8Array): void {
    const heap = this.engine.heap;
    const keep = plan.groups.map((saved) => saved.slotOffsets.map((offset, k) => offset >= 0 || this.createdEarly(saved.hyper as H, k)));
    const created = allocating(heap, (take) =>
      plan.groups.map((saved, i) => {
        const layout = this.layouts[i];
        return saved.slotOffsets.map((_, k) => (keep[i][k] && layout.slots[k] === 0 ? take(slotFloats(layout.slotLengths[k], this.spec.storage.dtype)) : null));
      }),
    );
    // Taken after the allocations, which may have grown (and replaced) the heap's buffer.
    const heapBytes = new Uint8Array(heap.f32.buffer);
    this.applySettings(plan.settings, plan.groups.map((saved) => saved.hyper));
    plan.groups.forEach((saved, i) => {
      const layout = this.layouts[i];
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
          const savedDtype = plan.savedDtypes[k], here = this.spec.storage.dtype;
          if (savedDtype !== "int8" && here !== "int8") copyRuns(payload, offset, heapBytes, layout.slots[k], saved.copies[k], savedDtype, here);
          else {
            const signed = this.isSigned(k);
            convertSlot(payload, offset, saved.savedLengths[k], savedDtype, heapBytes, layout.slots[k], layout.slotLengths[k], here, saved.copies[k], signed, plan.int8V5);
          }
          layout.fresh |= saved.fresh & (1 << k);
        }
      });
    });
  }

  /**
   * Creates the state slots the groups' current options need (once; e.g. when amsgrad is turned
   * on): all of them or, when the heap runs out, none. Records in each layout which slots this
   * step uses. Allocates nothing, not even a JS array, when every slot exists (the usual step).
   */
  private createSlots(): void {
    const groups = this.paramGroups;
    let missing = false;
    for (let i = 0; i < this.layouts.length; i++) {
      const layout = this.layouts[i];
      layout.active = 0;
      for (let k = 0; k < layout.slots.length; k++) {
        // A slot that exists and is not fresh needs nothing (the usual step: no call at all).
        if (layout.slots[k] !== 0 && (layout.fresh & (1 << k)) === 0) continue;
        if (!this.slotActive(groups[i], k)) continue;
        layout.active |= 1 << k;
        missing ||= layout.slots[k] === 0;
      }
    }
    if (!missing) return;
    const created = allocating(this.engine.heap, (take) => {
      const list: { group: number; k: number; block: Block }[] = [];
      this.layouts.forEach((layout, i) => {
        for (let k = 0; k < layout.slots.length; k++) {
          if (layout.slots[k] === 0 && (layout.active & (1 << k)) !== 0) list.push({ group: i, k, block: take(slotFloats(layout.slotLengths[k], this.spec.storage.dtype)) });
        }
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
    const init = this.spec.slotInit?.(this.paramGroups[group], k) ?? 0;
    if (init !== 0 || !zeroed) {
      if (this.spec.storage.dtype === "int8") {
        const values = new Float32Array(layout.slotLengths[k]).fill(init);
        storeValues(values, new Uint8Array(this.engine.heap.f32.buffer), layout.slots[k], "int8", this.isSigned(k));
      } else if (this.bf16) {
        const start = layout.slots[k] >>> 1;
        halvesOf(this.engine.heap.f32).fill(toBf16(init), start, start + layout.slotLengths[k]);
      } else this.engine.kernels.fill(layout.slots[k], layout.slotLengths[k], init);
    }
    layout.fresh |= 1 << k;
  }

  /** Whether slot k may hold negative numbers (int8: the signed codes), else it is one of the spec's nonNegativeSlots. */
  private isSigned(k: number): boolean {
    return !(this.spec.nonNegativeSlots ?? []).includes(slotDescriptions(this.spec)[k].name);
  }

  private slotActive(group: H, k: number): boolean {
    return this.spec.slotActive?.(group, k) ?? true;
  }

  /** Whether slot k is created with the optimizer (and kept by a load that lacks it) under these options. */
  private createdEarly(group: H, k: number): boolean {
    return this.slotActive(group, k) && (this.spec.slotInit === undefined || this.spec.initAtConstruction === true);
  }
}

/** Where each parameter's numbers start in a slot of `layout`. */
function startsOf(params: readonly Param[], layout: SlotLayout): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const param of params) {
    starts.push(at);
    at += slotLength(layout, param.shape);
  }
  return starts;
}

function lengthOf(params: readonly Param[], layout: SlotLayout, starts: readonly number[]): number {
  const last = params.length - 1;
  return starts[last] + slotLength(layout, params[last].shape);
}
