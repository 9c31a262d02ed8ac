import type { Kernels } from "../backend/types.js";
import { OptimError } from "../errors.js";
import type { Param } from "../param.js";
import { Companion } from "./companion.js";
import type { AnyOptimizer } from "./groups.js";

/** The optimizer methods refused while averaged weights are swapped in (those it has). */
const GUARDED = ["step", "train", "eval"] as const;
/** Every own property swapIn installs: the refusals and a dispose that swaps the weights back first. */
const SHADOWED = [...GUARDED, "dispose"] as const;

/** Which average has each optimizer's weights swapped in (at most one at a time). */
const swappedIn = new WeakMap<AnyOptimizer, WeightAverage>();

/**
 * Averaged weights kept in the heap beside an optimizer's parameters: one block per param group,
 * packed as the group is, updated by one fused kernel per group per `update()` call:
 *
 *   a ← a + (p − a)·w        (w = 1: a ← p)
 *
 * with w per update from the subclass (EMA, SWA). `swapIn()` exchanges the averages and the weights
 * (one swap kernel per group, bits unchanged) to evaluate on the average; `swapOut()` puts the
 * training weights back. While swapped in, the optimizer's `step` and this `update` are refused.
 */
export abstract class WeightAverage extends Companion {
  private swapped = false;

  protected constructor(kind: string, optimizer: unknown) {
    super(kind, "average", optimizer, 1, true);
  }

  /** Whether the averages are in the parameters now (between `swapIn()` and `swapOut()`). */
  get isSwappedIn(): boolean {
    return this.swapped;
  }

  /** Folds the parameters' current values into the average: call it after `optimizer.step()`. */
  update(): void {
    this.assertReady();
    const w = this.nextWeight();
    const kernels = this.engine.kernels;
    this.count++;
    if (w === undefined) return;
    for (let g = 0; g < this.spans.length; g++) kernels.lerpAverage(this.offsets[g][0], this.spans[g].data, this.spans[g].n, w);
  }

  /**
   * Puts the averaged weights into the parameters (and the training weights aside), to evaluate on
   * them. Stepping the optimizer (and a schedule-free one's `train()`/`eval()`) is refused (INVALID_ARGUMENT) until `swapOut()`;
   * the optimizer's `dispose()` swaps the training weights back first.
   */
  swapIn(): void {
    this.assertReady();
    const other = swappedIn.get(this.optimizer);
    if (other !== undefined) throw new OptimError("INVALID_ARGUMENT", `${this.optimizer.constructor.name}: another average's weights are swapped in; swap them out first`);
    const kernels = this.engine.kernels;
    // Own properties shadow the class's methods until swapOut deletes them (the optimizer offers no
    // hook): step, and a schedule-free optimizer's train/eval, which would move the averaged weights
    // as if they were its own and leave its mode wrong for the weights swapped back.
    // Installed before any weight moves: on a frozen optimizer it fails with nothing changed.
    // The optimizer's dispose gives each parameter its own memory, holding whatever is in the
    // parameter then: the training weights must be back by that point or they are lost for good.
    const guards: [string, () => void][] = GUARDED.filter((name) => typeof (this.optimizer as unknown as Record<string, unknown>)[name] === "function").map((name) => [name, (): never => {
      throw new OptimError("INVALID_ARGUMENT", `${this.optimizer.constructor.name}: ${name} while averaged weights are swapped in; call swapOut() first`);
    }]);
    guards.push(["dispose", () => {
      this.putBack();
      this.optimizer.dispose(); // the class's: putBack's release removed this shadow
    }]);
    for (const [name, guard] of guards) {
      if (!Reflect.defineProperty(this.optimizer, name, { value: guard, configurable: true, writable: true, enumerable: false })) {
        this.unguard();
        throw new OptimError("INVALID_ARGUMENT", `${this.constructor.name}: cannot guard the optimizer's ${name} (the optimizer object is frozen or sealed)`);
      }
    }
    this.exchange(kernels);
    this.swapped = true;
    swappedIn.set(this.optimizer, this);
  }

  /** Puts the training weights back into the parameters. */
  swapOut(): void {
    // Not assertLive: a param group added while swapped in must not strand the training weights in
    // the average; the groups swapped in are still where they were.
    this.assertBuffersLive();
    if (!this.swapped) throw new OptimError("INVALID_ARGUMENT", `${this.constructor.name}: the averaged weights are not swapped in`);
    this.exchange(this.engine.kernels);
    this.release();
  }

  /**
   * A zero-copy view of the average of `param` (while swapped in, the parameter holds it and this
   * view shows the training weights).
   */
  average(param: Param): Float32Array {
    return this.view(param, 0, "average");
  }

  /** Frees the averages; swaps the training weights back first if they are out and the optimizer is live. Never throws. */
  override dispose(): void {
    if (this.disposed) return;
    this.putBack();
    super.dispose();
  }

  /** Swaps the training weights back into whatever parameters can still take them, and ends the swap. Never throws. */
  private putBack(): void {
    // Twice: a worker's death is reported (WORKER_FAILED) by one kernels lookup, and the next one runs.
    for (let attempt = 0; attempt < 2 && this.swapped; attempt++) {
      try {
        this.swapOut();
      } catch {
        // below: the optimizer, a parameter or the engine is gone
      }
    }
    if (!this.swapped) return;
    // A disposed parameter makes its optimizer refuse everything ("dispose the optimizer, its other
    // parameters stay usable"): those others still sit in the group's block (a block lives while
    // any of its parameters does) holding the averages, so each live one gets its weights back alone.
    try {
      if (!this.optimizer.disposed) {
        this.engine.assertLive();
        const kernels = this.engine.kernels;
        this.spans.forEach((span, g) => span.params.forEach((param, j) => {
          if (!param.disposed) kernels.swap(this.offsets[g][0] + 4 * span.starts[j], span.data + 4 * span.starts[j], param.length);
        }));
      }
    } catch {
      // the engine is gone: nothing to put back into
    }
    this.release();
  }

  /** w for the next update, or undefined when it does not average (SWA before its start). */
  protected abstract nextWeight(): number | undefined;

  protected override assertReady(): void {
    this.assertLive();
    if (this.swapped) throw new OptimError("INVALID_ARGUMENT", `${this.constructor.name}: the averaged weights are swapped in; call swapOut() first`);
  }

  private exchange(kernels: Kernels): void {
    for (let g = 0; g < this.spans.length; g++) kernels.swap(this.offsets[g][0], this.spans[g].data, this.spans[g].n);
  }

  private release(): void {
    this.swapped = false;
    swappedIn.delete(this.optimizer);
    this.unguard();
  }

  /** Removes the guards swapIn installed (deleting an absent own property is a no-op). */
  private unguard(): void {
    for (const name of SHADOWED) delete (this.optimizer as unknown as Record<string, unknown>)[name];
  }
}
