import { describeNonFinite, totalNorm } from "../clip.js";
import { describe, OptimError } from "../errors.js";
import { invalid, optionsObject } from "../validation.js";
import type { HyperValue } from "../state/format.js";
import type { Param } from "../param.js";
import { Companion } from "./companion.js";

export interface GradientAccumulationOptions {
  /** Micro-batches per real update (default 1). */
  k?: number;
}

/**
 * Gradient accumulation (optax.MultiSteps with use_grad_mean): call `step()` after each
 * micro-batch's backward pass; every k-th counted call steps the wrapped optimizer once, on the
 * mean gradient of its k micro-batches. The mean is kept in an accumulator block per param group,
 * by the same running mean as optax (Welford):
 *
 *   micro-batch m (0-based) of a cycle:  acc ← g (m = 0);  acc ← acc + (g − acc)/(m + 1)
 *   the last one (m = k − 1):             g ← acc + (g − acc)/k, then optimizer.step()
 *
 * one kernel per group per call. So the optimizer's `maxGradNorm` clips the accumulated gradient.
 * The optimizer's `nonFinite` policy applies to each micro-batch (one norm pass per call when it is
 * not "proceed"): "throw" throws NON_FINITE and changes nothing; "skip" drops the micro-batch,
 * which does not count toward k (counted in `skippedMicroBatches`) — as optax's
 * `should_skip_update_fn=skip_not_finite`, where a skipped mini-step "never happened". The real
 * step then applies the policy again, to the mean.
 *
 * After an update the gradients hold the mean the optimizer used. If the optimizer's step throws,
 * the gradients get their values back (the last micro-batch's are kept aside for that, in a second
 * block per group) and nothing has changed.
 */
export class GradientAccumulation extends Companion {
  readonly k: number;
  private inClosure = false;
  private updatedLast = false;

  constructor(optimizer: unknown, options: GradientAccumulationOptions = {}) {
    const { k = 1 } = optionsObject<GradientAccumulationOptions>("GradientAccumulation", options, ["k"]);
    if (!Number.isSafeInteger(k) || k < 1) invalid("GradientAccumulation", "k", k, "an integer >= 1");
    // Block 0: the accumulator (saved); block 1: the last micro-batch's raw gradients, while the optimizer steps.
    super("GradientAccumulation", "accumulator", optimizer, 2, false);
    this.k = k;
  }

  /** Micro-batches accumulated in the current cycle (0 … k − 1). */
  get microStep(): number {
    return this.count;
  }

  /** Micro-batches dropped for a non-finite gradient (nonFinite "skip"). */
  get skippedMicroBatches(): number {
    return this.skipped;
  }

  /** Whether the last `step()` stepped the optimizer. */
  get updated(): boolean {
    return this.updatedLast;
  }

  /**
   * Takes one micro-batch's gradients (with a closure, calls it first: it should fill them and
   * return the loss, which is returned). Steps the optimizer on every k-th counted call.
   */
  step(closure?: () => number): number | undefined {
    this.assertLive();
    if (this.inClosure) throw new OptimError("INVALID_ARGUMENT", "GradientAccumulation: step called from inside its own closure");
    if (closure !== undefined && typeof closure !== "function") {
      throw new OptimError("INVALID_ARGUMENT", `GradientAccumulation: step takes a closure (a function returning the loss) or nothing, got ${describe(closure)}`);
    }
    let loss: number | undefined;
    if (closure !== undefined) {
      this.inClosure = true;
      try {
        loss = closure();
      } finally {
        this.inClosure = false;
      }
      this.assertLive(); // the closure may have disposed something
    }
    this.updatedLast = this.accumulate();
    return loss;
  }

  /** Sets every gradient to zero (the optimizer's zeroGrad). */
  zeroGrad(): void {
    this.assertLive();
    this.optimizer.zeroGrad();
  }

  /** The running mean of `param`'s gradients in the current cycle, a zero-copy view. */
  accumulator(param: Param): Float32Array {
    return this.view(param, 0, "accumulator");
  }

  protected override checkCount(count: number): string | undefined {
    return count < this.k ? undefined : `is not below k = ${this.k}`;
  }

  protected options(): Record<string, HyperValue> {
    return { k: this.k };
  }

  /** Takes the gradients in the heap as one micro-batch; returns whether the optimizer stepped. */
  private accumulate(): boolean {
    const kernels = this.engine.kernels;
    const mode = this.optimizer.nonFinite;
    // A float64 sum of squares of float32 values is finite exactly when every value is.
    if (mode !== "proceed" && !Number.isFinite(totalNorm(kernels, this.spans, this.spans.length, 2))) {
      if (mode === "throw") {
        throw new OptimError("NON_FINITE", `GradientAccumulation: ${describeNonFinite(this.spans.flatMap((s) => s.params))}; nothing was accumulated`);
      }
      this.skipped++;
      return false;
    }
    const m = this.count;
    const spans = this.spans, offsets = this.offsets;
    if (m + 1 < this.k) {
      for (let g = 0; g < spans.length; g++) kernels.lerpAverage(offsets[g][0], spans[g].grad, spans[g].n, m === 0 ? 1 : 1 / (m + 1));
      this.count++;
      return false;
    }
    for (let g = 0; g < spans.length; g++) kernels.lerpStash(offsets[g][0], spans[g].grad, offsets[g][1], spans[g].n, 1 / this.k);
    try {
      this.optimizer.step();
    } catch (error) {
      // Taken after the step, which may have grown the heap: the raw gradients go back bit for bit.
      const bits = new Uint32Array(this.engine.heap.f32.buffer);
      this.spans.forEach((span, g) => bits.copyWithin(span.grad >>> 2, this.offsets[g][1] >>> 2, (this.offsets[g][1] >>> 2) + span.n));
      throw error;
    }
    this.count = 0;
    return true;
  }
}
