import type { Engine } from "../engine.js";
import { describe, OptimError } from "../errors.js";
import { allocating } from "../memory/allocation.js";
import type { Block } from "../memory/block.js";
import { Optimizer } from "../optim/optimizer.js";
import { Param } from "../param.js";
import { decodeState, encodeState, stateError, type HyperValue, type SavedSettings } from "../state/format.js";
import type { SlotDescription } from "../state/layout.js";
import { matchState } from "../state/match.js";
import { spansOf, type AnyOptimizer, type Span } from "./groups.js";

/** What a companion saves as its state's settings: only skippedSteps means something to any of them. */
const NO_SETTINGS: SavedSettings = { maxGradNorm: null, gradNormType: 2, nonFinite: "proceed", skippedSteps: 0 };

/**
 * The shared part of the optimizer companions (EMA, SWA, GradientAccumulation, Lookahead): the
 * wrapped optimizer's packed groups, `blocks` heap blocks per group of the group's size (the first
 * one saved as the state slot `slot`), liveness, saveState/loadState in the optimizers' format
 * (docs/state-format.md) and dispose. A subclass supplies its options, its count and its update.
 *
 * Like the optimizers, every call validates first, allocates only in the constructor (through
 * `allocating`), then commits: a call that throws has changed nothing.
 */
export abstract class Companion {
  /** The wrapped optimizer. */
  readonly optimizer: AnyOptimizer;
  readonly engine: Engine;
  protected readonly spans: readonly Span[];
  /** offsets[g][j]: byte offset of block j of group g. */
  protected readonly offsets: readonly (readonly number[])[];
  /** The count saved as each group's `step` (updates, micro-batches, inner steps: per subclass). */
  protected count = 0;
  /** Saved as `settings.skippedSteps` (GradientAccumulation's skipped micro-batches). */
  protected skipped = 0;
  private readonly blockList: Block[];
  private isDisposed = false;

  protected constructor(
    private readonly kind: string,
    private readonly slot: string,
    optimizer: unknown,
    blocks: number,
    startFromParams: boolean,
  ) {
    if (!(optimizer instanceof Optimizer)) throw new OptimError("INVALID_ARGUMENT", `${kind}: expected an optimizer, got ${describe(optimizer)}`);
    optimizer.assertLive();
    this.optimizer = optimizer;
    this.engine = optimizer.engine;
    this.spans = spansOf(optimizer);
    const kernels = this.engine.kernels; // looked up first: it may throw (WORKER_FAILED) before anything is taken
    const taken = allocating(this.engine.heap, (take) => this.spans.map((span) => Array.from({ length: blocks }, () => take(span.n))));
    this.blockList = taken.flat();
    this.offsets = taken.map((group) => group.map((block) => block.offset));
    // The average starts as the weights (torch's AveragedModel deep-copies the model), as do the slow weights.
    if (startFromParams) this.spans.forEach((span, g) => kernels.lerpAverage(this.offsets[g][0], span.data, span.n, 1));
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * This companion's state as self-describing bytes in the optimizers' format (docs/state-format.md):
   * its kind, its options as each group's `hyper`, its count as each group's `step`, its buffer as
   * the slot named in the README, each parameter's name and shape, with a CRC-32. The wrapped
   * optimizer's state is not included: save it with `optimizer.saveState()`.
   */
  saveState(): Uint8Array {
    this.assertReady();
    const heapBytes = new Uint8Array(this.engine.heap.f32.buffer);
    const hyper = this.options();
    const groups = this.spans.map((span) => ({
      hyper: { ...hyper },
      step: this.count,
      params: span.params.map((p) => ({ name: p.name ?? null, shape: p.shape.slice() })),
      slots: [this.slot],
    }));
    const buffers = this.spans.map((span, g) => heapBytes.subarray(this.offsets[g][0], this.offsets[g][0] + 4 * span.n));
    return encodeState({ kind: this.kind, slots: [this.description()], settings: { ...NO_SETTINGS, skippedSteps: this.skipped }, groups }, buffers);
  }

  /**
   * Restores a state from `saveState()`. Everything is checked first (format, checksum, kind, options
   * equal to this companion's, group count, parameters by name or position, shapes, the count); a
   * failure throws STATE_INCOMPATIBLE and changes nothing.
   */
  loadState(bytes: Uint8Array): void {
    this.assertReady();
    const decoded = decodeState(bytes);
    const options = this.options();
    const plan = matchState(decoded, {
      kind: this.kind,
      slots: [this.description()],
      nonNegativeSlots: [],
      scalars: [],
      hyperKeys: Object.keys(options),
      groups: this.spans.map((span) => ({ params: span.params, slotStarts: [span.starts] })),
      checkHyper: (hyper) => {
        for (const [key, value] of Object.entries(options)) {
          if (hyper[key] !== value) throw new OptimError("INVALID_ARGUMENT", `saved with ${key} ${JSON.stringify(hyper[key])}, this ${this.kind} has ${JSON.stringify(value)}`);
        }
      },
      checkSettings: (settings) => {
        const expected = { ...NO_SETTINGS, skippedSteps: settings.skippedSteps };
        if (JSON.stringify(settings) !== JSON.stringify(expected)) throw new OptimError("INVALID_ARGUMENT", `unexpected settings ${JSON.stringify(settings)}`);
      },
      rebuildScalars: () => [],
      checkScalar: () => undefined,
    });
    // matchState lets storage types differ (an optimizer's load converts); a companion's buffer is
    // float32 only, and its copies below move 4 bytes a number, so a bfloat16 slot is refused.
    if (plan.savedDtypes[0] !== "float32") throw stateError(`${this.kind}: the ${this.slot} slot is saved as ${plan.savedDtypes[0]}, a ${this.kind} keeps float32`);
    const count = plan.groups[0]?.step ?? 0;
    plan.groups.forEach((group, g) => {
      if (group.slotOffsets[0] < 0) throw stateError(`${this.kind}: param group ${g} has no ${this.slot} buffer`);
      if (group.step !== count) throw stateError(`${this.kind}: param group ${g} has count ${group.step}, group 0 has ${count}`);
    });
    const problem = this.checkCount(count);
    if (problem !== undefined) throw stateError(`${this.kind}: the saved count ${count} ${problem}`);
    // Committed: the checks are done and nothing below can fail.
    const heapBytes = new Uint8Array(this.engine.heap.f32.buffer);
    plan.groups.forEach((group, g) => {
      for (const copy of group.copies[0]) {
        const from = group.slotOffsets[0] + 4 * copy.from;
        heapBytes.set(decoded.payload.subarray(from, from + 4 * copy.length), this.offsets[g][0] + 4 * copy.to);
      }
    });
    this.count = count;
    this.skipped = decoded.header.settings.skippedSteps;
  }

  /** Frees this companion's buffers. The optimizer and its parameters stay usable. Idempotent; never throws. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const block of this.blockList) block.release();
  }

  /** @internal every call's first check: this companion, its optimizer and their parameters are live, and the optimizer's groups are those it was made for. */
  assertLive(): void {
    this.assertBuffersLive();
    if (this.optimizer.paramGroups.length !== this.spans.length) {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}: a param group was added to its optimizer after it was made; make a new ${this.kind}`);
    }
  }

  /**
   * This companion, its optimizer and their parameters are live: enough to touch the groups it was
   * made for (a group added later leaves their offsets as they were).
   */
  protected assertBuffersLive(): void {
    if (this.isDisposed) throw new OptimError("DISPOSED", `${this.kind}: it has been disposed`);
    this.optimizer.assertLive();
  }

  /** The one slot: a number per element of every parameter, as the group's packed values. */
  private description(): SlotDescription {
    return { name: this.slot, layout: "element", dtype: "float32" };
  }

  /** The options saved as each group's `hyper` (a load requires them equal). */
  protected abstract options(): Record<string, HyperValue>;

  /** Why a saved count cannot be this companion's, or undefined when it can. */
  protected checkCount(count: number): string | undefined {
    void count;
    return undefined;
  }

  /** assertLive, plus whatever else state access needs (the averages: not swapped in). */
  protected assertReady(): void {
    this.assertLive();
  }

  /** A zero-copy view of param's part of block j of its group. */
  protected view(param: Param, j: number, owner: string): Float32Array {
    this.assertLive();
    if (!Param.is(param) || param.owner !== this.optimizer) {
      throw new OptimError("INVALID_ARGUMENT", `${this.kind}.${owner}: ${Param.is(param) ? `parameter ${param.label}` : describe(param)} is not a parameter of its optimizer`);
    }
    const g = param.ownerGroup;
    const start = this.spans[g].starts[param.ownerIndex];
    return new Float32Array(this.engine.heap.f32.buffer, this.offsets[g][j] + 4 * start, param.length);
  }
}
