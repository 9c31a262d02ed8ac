import { OptimError } from "../errors.js";
import { checkKnownKeys, invalid, type Hyperparameters } from "../validation.js";
import { Optimizer } from "../optim/optimizer.js";
import { nonNegative, oneOfChoices } from "./check.js";

export interface ReduceLROnPlateauOptions {
  /** "min" (default): lower metric is better (a loss); "max": higher is better (an accuracy). */
  mode?: "min" | "max";
  /** The lr is multiplied by this on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4), per thresholdMode. */
  threshold?: number;
  /** "rel" (default): better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Steps to wait after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** The lr never goes below this; one number, or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than this is not applied (default 1e-8). */
  eps?: number;
  /** The option reduced (default "lr"). */
  key?: string;
}

/**
 * Reduces the learning rate when a metric stops improving, with torch's ReduceLROnPlateau semantics:
 * after each `step(metric)`, a metric better than the best so far (by `threshold`) resets the count of
 * bad steps; otherwise it grows, and when it exceeds `patience` every group's lr becomes
 * max(lr·factor, minLr) — skipped where that changes it by less than eps — and `cooldown` steps follow
 * in which bad steps are not counted. A NaN metric is never an improvement (as in torch).
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer<Hyperparameters>;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly eps: number;
  readonly key: string;
  private readonly minLrs: readonly number[];
  private bestValue: number;
  private bad = 0;
  private cooldownLeft = 0;
  private steps = 0;
  private reductions = 0;

  constructor(optimizer: Optimizer<any>, config: ReduceLROnPlateauOptions = {}) {
    const owner = "ReduceLROnPlateau";
    if (config === null || typeof config !== "object") throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object`);
    checkKnownKeys(owner, config, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "key"]);
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0, minLr = 0, eps = 1e-8, key = "lr" } = config;
    if (!(optimizer instanceof Optimizer) || optimizer.disposed) {
      throw new OptimError(optimizer?.disposed ? "DISPOSED" : "INVALID_ARGUMENT", `${owner}: expected a live optimizer`);
    }
    const groups = optimizer.paramGroups as readonly Record<string, unknown>[];
    oneOfChoices(owner, "mode", mode, ["min", "max"] as const);
    if (typeof factor !== "number" || !(factor > 0 && factor < 1)) invalid(owner, "factor", factor, "a number in (0, 1)");
    if (!Number.isSafeInteger(patience) || patience < 0) invalid(owner, "patience", patience, "an integer >= 0");
    nonNegative(owner, "threshold", threshold);
    oneOfChoices(owner, "thresholdMode", thresholdMode, ["rel", "abs"] as const);
    if (!Number.isSafeInteger(cooldown) || cooldown < 0) invalid(owner, "cooldown", cooldown, "an integer >= 0");
    nonNegative(owner, "eps", eps);
    const minLrs = typeof minLr === "number" ? groups.map(() => minLr) : minLr;
    if (!Array.isArray(minLrs) || minLrs.length !== groups.length || !minLrs.every((m) => Number.isFinite(m) && m >= 0)) {
      invalid(owner, "minLr", minLr, `a number >= 0 or ${groups.length} of them (one per param group)`);
    }
    if (typeof key !== "string" || !groups.every((g) => typeof g[key] === "number")) {
      throw new OptimError("INVALID_ARGUMENT", `${owner}: ${JSON.stringify(key)} is not a numeric option of every param group`);
    }
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.key = key;
    this.minLrs = minLrs.slice();
    this.bestValue = mode === "min" ? Infinity : -Infinity;
  }

  /** The best metric so far (±Infinity before the first step). */
  get best(): number {
    return this.bestValue;
  }

  /** Consecutive steps without improvement, counted since the last improvement or reduction. */
  get badSteps(): number {
    return this.bad;
  }

  /** Steps of cooldown left. */
  get cooldownRemaining(): number {
    return this.cooldownLeft;
  }

  /** How many times the lr was reduced. */
  get reductionCount(): number {
    return this.reductions;
  }

  /** Metrics seen. */
  get stepCount(): number {
    return this.steps;
  }

  /** Records this step's metric (e.g. the validation loss); may reduce the lr. Returns whether it did. */
  step(metric: number): boolean {
    if (typeof metric !== "number") throw new OptimError("INVALID_ARGUMENT", `ReduceLROnPlateau: the metric must be a number, got ${typeof metric}`);
    if (this.optimizer.disposed) throw new OptimError("DISPOSED", "ReduceLROnPlateau: the optimizer has been disposed");
    this.optimizer.assertGroupsWritable([this.key]);
    this.steps++;
    if (this.isBetter(metric)) {
      this.bestValue = metric;
      this.bad = 0;
    } else {
      this.bad++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.bad = 0;
    }
    if (this.bad <= this.patience) return false;
    this.cooldownLeft = this.cooldown;
    this.bad = 0;
    return this.reduce();
  }

  private isBetter(metric: number): boolean {
    const best = this.bestValue;
    const t = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? metric < best * (1 - t) : metric < best - t;
    return this.thresholdMode === "rel" ? metric > best * (1 + t) : metric > best + t;
  }

  private reduce(): boolean {
    const groups = this.optimizer.paramGroups as readonly Record<string, number>[];
    let reduced = false;
    for (let i = 0; i < this.minLrs.length; i++) {
      const old = groups[i][this.key];
      const lowered = Math.max(old * this.factor, this.minLrs[i]);
      if (old - lowered > this.eps) {
        groups[i][this.key] = lowered;
        reduced = true;
      }
    }
    if (reduced) this.reductions++;
    return reduced;
  }
}
