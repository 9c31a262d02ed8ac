import { bool, invalid, num, optionsObject } from "../validation.js";
import type { HyperValue } from "../state/format.js";
import { WeightAverage } from "./average.js";

export interface EMAOptions {
  /** The decay of the average, in [0, 1) (default 0.999, torch's get_ema_multi_avg_fn). */
  decay?: number;
  /** Keep optax's debiased average instead of torch's (default false); see `EMA`. */
  debias?: boolean;
}

const RULES = { decay: num(0.999, { min: 0, max: 1, maxOpen: true }), debias: bool(false) };

/**
 * An exponential moving average of an optimizer's parameters, for evaluation (`swapIn()`).
 *
 * Update t (1-based), after `optimizer.step()`:
 *
 *   debias false (torch.optim.swa_utils.AveragedModel with get_ema_multi_avg_fn(decay)):
 *     t = 1: a ← p;   t > 1: a ← a + (p − a)·(1 − decay)
 *   debias true (optax.ema(decay, debias=True) applied to the parameters, kept debiased):
 *     a ← a + (p − a)·(1 − decay)/(1 − decayᵗ)
 *     which is optax's e_t/(1 − decayᵗ) with e_t = decay·e_{t−1} + (1 − decay)·p, e_0 = 0: the
 *     debiased average is kept directly, so it can be swapped in without a rescale.
 *
 * Before the first update the average is the parameters' values when the EMA was made.
 *
 * @example
 * const ema = new EMA(opt, { decay: 0.999 });
 * opt.step(); ema.update();
 * ema.swapIn(); evaluate(); ema.swapOut();
 */
export class EMA extends WeightAverage {
  readonly decay: number;
  readonly debias: boolean;

  constructor(optimizer: unknown, options: EMAOptions = {}) {
    const { decay = RULES.decay.default, debias = RULES.debias.default } = optionsObject<EMAOptions>("EMA", options, Object.keys(RULES));
    const problem = RULES.decay.check(decay);
    if (problem !== undefined) invalid("EMA", "decay", decay, problem);
    if (RULES.debias.check(debias) !== undefined) invalid("EMA", "debias", debias, "true or false");
    super("EMA", optimizer);
    this.decay = decay;
    this.debias = debias;
  }

  /** Updates so far. */
  get updates(): number {
    return this.count;
  }

  protected nextWeight(): number {
    const t = this.count + 1;
    if (this.debias) return (1 - this.decay) / (1 - this.decay ** t);
    return t === 1 ? 1 : 1 - this.decay;
  }

  protected options(): Record<string, HyperValue> {
    return { decay: this.decay, debias: this.debias };
  }
}
