import { describe, OptimError } from "./errors.js";
import { checkKnownKeys, invalid, type Hyperparameters } from "./validation.js";
import { Optimizer } from "./optim/optimizer.js";

export interface LrFinderOptions {
  /** The lr of the first batch (default 1e-7). */
  startLr?: number;
  /** The lr of the last batch (default 10). */
  endLr?: number;
  /** Batches, at least 3 (default 100): the lr grows by (endLr/startLr)^(1/(steps − 1)) per batch. */
  steps?: number;
  /** β of the loss's exponential moving average, in [0, 1) (default 0.98, as fastai). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this times its best (default 4, as fastai). */
  divergeFactor?: number;
  /** Points ignored at the start and at the end when looking for the steepest descent (defaults 10 and 5, as torch-lr-finder). */
  skipStart?: number;
  skipEnd?: number;
  /** Put the parameters, gradients and optimizer state back afterwards (default true). */
  restore?: boolean;
}

/** The range test's curve, ready to plot (lr on a log axis), and its suggestion. */
export interface LrFinderResult {
  /** The lr of each batch. */
  readonly lrs: number[];
  /** The loss the closure returned for each batch (before that batch's step). */
  readonly losses: number[];
  /** The bias-corrected moving average of the losses. */
  readonly smoothed: number[];
  /** The lr where the smoothed loss falls fastest against log(lr); undefined if it never falls. */
  readonly suggestion: number | undefined;
  /** Its index in the arrays. */
  readonly suggestionIndex: number | undefined;
  /** Whether the test stopped early because the loss diverged (or was not finite). */
  readonly diverged: boolean;
}

/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates", §3.3; fastai's lr_find): trains for
 * up to `steps` batches while the lr of every param group grows exponentially from startLr to endLr,
 * records the loss, and suggests the lr at the steepest descent of the smoothed loss.
 *
 * `closure(i)` computes the loss on batch i, fills the gradients, and returns the loss; the finder then
 * calls `optimizer.step()`. The loss is smoothed with a bias-corrected EMA,
 * s_i = (β·a_{i−1} + (1 − β)·loss_i)/(1 − β^(i+1)), and the test stops once s_i > divergeFactor·min(s) or
 * a loss is not finite. The slope is the central difference of s against ln(lr). As in fastai,
 * losses[i] is measured before batch i's step, so it reflects the lrs before lrs[i].
 *
 * Afterwards (also when the closure throws) the parameter values, gradients and the optimizer's state
 * — step counts, buffers, every group's options including lr — are put back, via saveState/loadState.
 *
 * @example
 * const { suggestion, lrs, smoothed } = findLearningRate(opt, (i) => lossAndGrad(batches[i % batches.length]));
 */
export function findLearningRate(optimizer: Optimizer<any>, closure: (iteration: number) => number, config: LrFinderOptions = {}): LrFinderResult {
  const owner = "findLearningRate";
  if (!(optimizer instanceof Optimizer)) throw new OptimError("INVALID_ARGUMENT", `${owner}: expected an optimizer, got ${describe(optimizer)}`);
  if (config === null || typeof config !== "object") throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object`);
  checkKnownKeys(owner, config, ["startLr", "endLr", "steps", "smoothing", "divergeFactor", "skipStart", "skipEnd", "restore"]);
  const { startLr = 1e-7, endLr = 10, steps = 100, smoothing = 0.98, divergeFactor = 4, skipStart = 10, skipEnd = 5, restore = true } = config;
  if (typeof startLr !== "number" || !(startLr > 0) || !Number.isFinite(startLr)) invalid(owner, "startLr", startLr, "a finite number > 0");
  if (typeof endLr !== "number" || !(endLr > startLr) || !Number.isFinite(endLr)) invalid(owner, "endLr", endLr, `a finite number > startLr (${startLr})`);
  if (!Number.isSafeInteger(steps) || steps < 3) invalid(owner, "steps", steps, "an integer >= 3");
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing < 1)) invalid(owner, "smoothing", smoothing, "a number in [0, 1)");
  if (typeof divergeFactor !== "number" || !(divergeFactor > 1)) invalid(owner, "divergeFactor", divergeFactor, "a number > 1 (Infinity: never stop early)");
  if (!Number.isSafeInteger(skipStart) || skipStart < 0) invalid(owner, "skipStart", skipStart, "an integer >= 0");
  if (!Number.isSafeInteger(skipEnd) || skipEnd < 0) invalid(owner, "skipEnd", skipEnd, "an integer >= 0");
  if (typeof restore !== "boolean") invalid(owner, "restore", restore, "true or false");
  if (typeof closure !== "function") throw new OptimError("INVALID_ARGUMENT", `${owner}: expected a closure (iteration) => loss that fills the gradients`);
  const groups = optimizer.paramGroups as Hyperparameters[];
  if (!groups.every((g) => typeof g.lr === "number")) throw new OptimError("INVALID_ARGUMENT", `${owner}: every param group needs a numeric lr`);

  optimizer.assertGroupsWritable(["lr"]);
  // Taken before anything changes; saveState also checks the optimizer is live and valid.
  const state = restore ? optimizer.saveState() : null;
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  const values = restore ? params.map((p) => p.data.slice()) : [];
  const grads = restore ? params.map((p) => p.grad.slice()) : [];

  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let diverged = false;
  try {
    let average = 0;
    let best = Infinity;
    const growth = (Math.log(endLr) - Math.log(startLr)) / (steps - 1); // not log(endLr / startLr), which overflows for 1e-300 … 1e300
    for (let i = 0; i < steps; i++) {
      const lr = i === steps - 1 ? endLr : startLr * Math.exp(growth * i);
      for (const group of groups) group.lr = lr;
      const loss = closure(i);
      if (typeof loss !== "number") throw new OptimError("INVALID_ARGUMENT", `${owner}: the closure must return the loss as a number, got ${typeof loss}`);
      average = smoothing * average + (1 - smoothing) * loss;
      const s = average / (1 - Math.pow(smoothing, i + 1));
      lrs.push(lr);
      losses.push(loss);
      smoothed.push(s);
      if (!Number.isFinite(s) || s > divergeFactor * best) {
        diverged = true;
        break;
      }
      best = Math.min(best, s);
      optimizer.step();
    }
  } finally {
    if (restore) {
      params.forEach((p, k) => {
        p.data.set(values[k]);
        p.grad.set(grads[k]);
      });
      optimizer.loadState(state!);
    }
  }
  const suggestionIndex = steepestDescent(lrs, smoothed, skipStart, skipEnd);
  return { lrs, losses, smoothed, suggestion: suggestionIndex === undefined ? undefined : lrs[suggestionIndex], suggestionIndex, diverged };
}

/** The index where smoothed falls fastest against ln(lr) (central differences), among those not skipped. */
function steepestDescent(lrs: readonly number[], smoothed: readonly number[], skipStart: number, skipEnd: number): number | undefined {
  const n = smoothed.length;
  let bestIndex: number | undefined;
  let bestSlope = 0;
  for (let i = Math.max(skipStart, 1); i < n - Math.max(skipEnd, 1); i++) {
    const slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
    if (slope < bestSlope) {
      bestSlope = slope;
      bestIndex = i;
    }
  }
  return bestIndex;
}
