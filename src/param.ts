import { describe, OptimError } from "./errors.js";
import { allocating } from "./memory/allocation.js";
import type { Block } from "./memory/block.js";
import type { Engine } from "./engine.js";
import type { Heap } from "./memory/heap.js";

/** A parameter's size: a length, or a shape whose product is the length. */
export type ParamSize = number | readonly number[];

export interface ParamOptions {
  /** A name, used in messages and to match saved state. */
  name?: string;
  /** The shape, when the first argument gives initial values. */
  shape?: readonly number[];
}

/** Who owns a parameter's storage once an optimizer has packed it. */
export interface ParamOwner {
  readonly disposed: boolean;
  /** Told when an owned parameter is disposed, so the owner refuses to touch its storage (O(1) per step). */
  paramDisposed(param: Param): void;
}

/**
 * A float32 tensor in the engine's heap with its gradient. `data` and `grad` are zero-copy
 * views; read them when you need them rather than keeping them across allocations
 * (see `Engine.viewsSurviveGrowth`).
 */
export class Param {
  readonly name: string | undefined;
  readonly shape: readonly number[];
  readonly length: number;
  /** @internal the optimizer that packed this parameter, if any */
  owner: ParamOwner | null = null;
  /** @internal where the owner keeps it: its param group and its position there (O(1) lookups, no map) */
  ownerGroup = -1;
  ownerIndex = -1;
  private dataBlock: Block | null;
  private gradBlock: Block | null;
  private dataPtr: number;
  private gradPtr: number;
  private dataView: Float32Array | null = null;
  private gradView: Float32Array | null = null;

  private readonly heap: Heap;
  /** Only the constructor sets it: `Param.is` tells a real parameter from an object made with its prototype. */
  readonly #real = true;

  /** Whether `value` is a parameter made by `Engine.param` (not merely an object with Param's prototype). */
  static is(value: unknown): value is Param {
    return typeof value === "object" && value !== null && #real in value;
  }

  /** @internal use Engine.param */
  constructor(
    readonly engine: Engine,
    shape: readonly number[],
    name: string | undefined,
  ) {
    const heap = (this.heap = engine.heap);
    this.shape = Object.freeze(shape.slice());
    this.length = shape.reduce((a, b) => a * b, 1);
    this.name = name;
    [this.dataBlock, this.gradBlock] = allocating(heap, (take) => [take(this.length), take(this.length)]);
    this.dataPtr = this.dataBlock.offset;
    this.gradPtr = this.gradBlock.offset;
  }

  get disposed(): boolean {
    return this.dataBlock === null;
  }

  /** The values, a zero-copy view into the heap. */
  get data(): Float32Array {
    this.assertLive();
    const heapBuffer = this.heap.f32.buffer;
    if (this.dataView?.buffer !== heapBuffer) this.dataView = new Float32Array(heapBuffer, this.dataPtr, this.length);
    return this.dataView;
  }

  /** The gradient, a zero-copy view into the heap; fill it before `optimizer.step()`. */
  get grad(): Float32Array {
    this.assertLive();
    const heapBuffer = this.heap.f32.buffer;
    if (this.gradView?.buffer !== heapBuffer) this.gradView = new Float32Array(heapBuffer, this.gradPtr, this.length);
    return this.gradView;
  }

  /** Copies values in, after checking their length. */
  setData(values: ArrayLike<number>): void {
    this.checkLength(values, "data");
    this.data.set(values);
  }

  /** Copies a gradient in, after checking its length. */
  setGrad(values: ArrayLike<number>): void {
    this.checkLength(values, "gradient");
    this.grad.set(values);
  }

  /**
   * Frees the storage (once every parameter packed with it is disposed). Idempotent. An optimizer
   * that owns this parameter refuses to step from then on (DISPOSED): dispose it too.
   */
  dispose(): void {
    if (this.dataBlock === null) return;
    if (this.owner !== null && !this.owner.disposed) this.owner.paramDisposed(this);
    this.dataBlock.release();
    this.gradBlock!.release();
    this.dataBlock = this.gradBlock = null;
    this.dataView = this.gradView = null;
  }

  /** @internal byte offset of the values */
  get dataOffset(): number {
    return this.dataPtr;
  }

  /** @internal byte offset of the gradient */
  get gradOffset(): number {
    return this.gradPtr;
  }

  /**
   * @internal moves the storage into blocks packed by an optimizer (values and gradient copied).
   * The old blocks' offsets, once no parameter uses them, go to `freed` for one bulk `Heap.freeAll`.
   */
  relocate(dataBlock: Block, dataPtr: number, gradBlock: Block, gradPtr: number, freed: number[]): void {
    const h = this.heap.f32;
    h.copyWithin(dataPtr >>> 2, this.dataPtr >>> 2, (this.dataPtr >>> 2) + this.length);
    h.copyWithin(gradPtr >>> 2, this.gradPtr >>> 2, (this.gradPtr >>> 2) + this.length);
    this.dataBlock!.release(freed);
    this.gradBlock!.release(freed);
    this.dataBlock = dataBlock;
    this.gradBlock = gradBlock;
    this.dataPtr = dataPtr;
    this.gradPtr = gradPtr;
    this.dataView = this.gradView = null;
  }

  /** @internal */
  assertLive(): void {
    this.engine.assertLive();
    if (this.dataBlock === null) throw new OptimError("DISPOSED", `parameter ${this.label} has been disposed`);
  }

  /** @internal how messages name this parameter */
  get label(): string {
    return this.name === undefined ? `[${this.shape.join(", ")}]` : `"${this.name}"`;
  }

  private checkLength(values: ArrayLike<number>, what: string): void {
    this.assertLive();
    checkNumbers(values, `${what} for parameter ${this.label}`);
    if (values.length !== this.length) {
      throw new OptimError(
        "SHAPE_MISMATCH",
        `${what} for parameter ${this.label} has length ${values?.length}, expected ${this.length}`,
      );
    }
  }
}

/**
 * Throws INVALID_ARGUMENT unless `values` holds numbers: a non-BigInt typed array, or an array of
 * numbers (checked one by one: `Float32Array.set` would turn anything else into NaN silently).
 */
export function checkNumbers(values: unknown, what: string): asserts values is ArrayLike<number> {
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw new OptimError("INVALID_ARGUMENT", `${what} must hold numbers, got a ${values.constructor.name}`);
    }
    return;
  }
  if (!Array.isArray(values)) throw new OptimError("INVALID_ARGUMENT", `${what} must be a typed array or an array of numbers, got ${describe(values)}`);
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== "number") throw new OptimError("INVALID_ARGUMENT", `${what} must hold numbers, got ${describe(values[i])} at index ${i}`);
  }
}
