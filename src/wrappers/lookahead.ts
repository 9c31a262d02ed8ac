import { invalid, num, optionsObject } from "../validation.js";
import type { Param } from "../param.js";
import type { HyperValue } from "../state/format.js";
import { Companion } from "./companion.js";

export interface LookaheadOptions {
  /** Inner steps per synchronisation (default 5). */
  k?: number;
  /** The slow weights' step size α, in [0, 1] (default 0.5). */
  alpha?: number;
}

const ALPHA = num(0.5, { min: 0, max: 1 });

/**
 * Lookahead (Zhang, Lucas, Hinton, Ba 2019, "Lookahead Optimizer: k steps forward, 1 step back",
 * Algorithm 1) around any optimizer: the parameters are the fast weights; slow weights φ live in the
 * heap, one block per param group, starting as the parameters' values when the Lookahead is made.
 * After every k-th inner step, one fused kernel per group:
 *
 *   φ ← φ + α·(θ − φ);   θ ← φ
 *
 * The same rule as optax.lookahead(sync_period = k, slow_step_size = α); its reset_state option
 * (re-initialising the inner optimizer's state at each synchronisation) is not offered. An inner step
 * skipped for a non-finite gradient (nonFinite "skip") does not count toward k.
 *
 * @example
 * const opt = new Lookahead(new Adam(params, { lr: 1e-3 }), { k: 5, alpha: 0.5 });
 * opt.step();   // instead of adam.step()
 */
export class Lookahead extends Companion {
  readonly k: number;
  readonly alpha: number;

  constructor(optimizer: unknown, options: LookaheadOptions = {}) {
    const { k = 5, alpha = ALPHA.default } = optionsObject<LookaheadOptions>("Lookahead", options, ["k", "alpha"]);
    if (!Number.isSafeInteger(k) || k < 1) invalid("Lookahead", "k", k, "an integer >= 1");
    const problem = ALPHA.check(alpha);
    if (problem !== undefined) invalid("Lookahead", "alpha", alpha, problem);
    super("Lookahead", "slow", optimizer, 1, true);
    this.k = k;
    this.alpha = alpha;
  }

  /** Inner steps taken since the last synchronisation (0 … k − 1). */
  get stepsSinceSync(): number {
    return this.count;
  }

  /**
   * One inner step (with its closure, if any: its loss is returned); after every k-th, the
   * synchronisation. Whatever the inner step refuses throws before anything is changed.
   */
  step(closure?: () => number): number | undefined {
    this.assertLive();
    // Looked up before the inner step, so a failure (WORKER_FAILED) comes before anything is written.
    const kernels = this.engine.kernels;
    const skipped = this.optimizer.skippedSteps;
    const loss = this.optimizer.step(closure);
    // The closure may have disposed this Lookahead (its blocks are gone), and a skipped step does not count.
    if (this.disposed || this.optimizer.skippedSteps !== skipped) return loss;
    if (++this.count < this.k) return loss;
    this.count = 0;
    for (let g = 0; g < this.spans.length; g++) kernels.lookahead(this.offsets[g][0], this.spans[g].data, this.spans[g].n, this.alpha);
    return loss;
  }

  /** Sets every gradient to zero (the optimizer's zeroGrad). */
  zeroGrad(): void {
    this.assertLive();
    this.optimizer.zeroGrad();
  }

  /** The slow weights of `param`, a zero-copy view. */
  slow(param: Param): Float32Array {
    return this.view(param, 0, "slow");
  }

  protected override checkCount(count: number): string | undefined {
    return count < this.k ? undefined : `is not below k = ${this.k}`;
  }

  protected options(): Record<string, HyperValue> {
    return { k: this.k, alpha: this.alpha };
  }
}
