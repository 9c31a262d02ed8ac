import { invalid, optionsObject } from "../validation.js";
import type { HyperValue } from "../state/format.js";
import { WeightAverage } from "./average.js";

export interface SWAOptions {
  /** update() calls to let pass before averaging starts (default 0: average from the first). */
  start?: number;
}

/**
 * Stochastic weight averaging: the equal average of the parameters over the `update()` calls from
 * number `start + 1` on, as torch.optim.swa_utils.AveragedModel with its default avg_fn:
 *
 *   n = 0: a ← p;   n > 0: a ← a + (p − a)/(n + 1);   n ← n + 1
 *
 * (the division is a multiplication by 1/(n + 1), computed in float64 and rounded once to float32).
 * Calls before the start only count. Before the first averaged update the average is the parameters'
 * values when the SWA was made (torch deep-copies the model).
 *
 * @example
 * const swa = new SWA(opt, { start: 75 });   // with one update() per epoch: average from epoch 76
 */
export class SWA extends WeightAverage {
  readonly start: number;

  constructor(optimizer: unknown, options: SWAOptions = {}) {
    const { start = 0 } = optionsObject<SWAOptions>("SWA", options, ["start"]);
    if (!Number.isSafeInteger(start) || start < 0) invalid("SWA", "start", start, "an integer >= 0");
    super("SWA", optimizer);
    this.start = start;
  }

  /** update() calls so far, before and after the start. */
  get updates(): number {
    return this.count;
  }

  /** Updates folded into the average (torch's n_averaged). */
  get averaged(): number {
    return Math.max(0, this.count - this.start);
  }

  protected nextWeight(): number | undefined {
    if (this.count < this.start) return undefined;
    return 1 / (this.averaged + 1);
  }

  protected options(): Record<string, HyperValue> {
    return { start: this.start };
  }
}
