import { OptimError } from "../errors.js";
import { checkKnownKeys, invalid, type Hyperparameters } from "../validation.js";
import { Optimizer } from "../optim/optimizer.js";
import type { Schedule } from "./check.js";

export interface SchedulerOptions {
  /** The param-group option the schedule drives (default "lr"; any numeric option, e.g. "beta1", "momentum"). */
  key?: string;
  /**
   * false (default): the schedule gives the value itself. true: it gives a factor of each group's
   * base value (its value when the scheduler is built, or `base`), as torch's schedulers scale each
   * group's initial_lr — so groups with different lrs keep their ratio.
   */
  relative?: boolean;
  /** With `relative`, each group's base value (default: the groups' values now). Needed to resume a relative schedule. */
  base?: readonly number[];
  /** The step to start at, to resume a run (default 0). */
  startStep?: number;
}

/**
 * Drives one option of every param group from a schedule, as torch.optim.lr_scheduler does: the
 * constructor sets the value for step `startStep` (0), and each `step()` — called after
 * `optimizer.step()`, once per batch or per epoch as you count steps — moves to the next step and
 * sets its value. Pass one schedule for every group, or an array with one per group.
 *
 * @example
 * const sched = new Scheduler(opt, cosineAnnealingSchedule({ init: 0.1, steps: 1000 }));
 * for (...) { computeGrads(); opt.step(); sched.step(); }
 */
export class Scheduler {
  readonly optimizer: Optimizer<Hyperparameters>;
  readonly key: string;
  private readonly schedules: readonly Schedule[];
  private readonly base: readonly number[] | null;
  private readonly next: number[];
  private readonly current: number[];
  private t: number;

  constructor(optimizer: Optimizer<any>, schedule: Schedule | readonly Schedule[], config: SchedulerOptions = {}) {
    const owner = "Scheduler";
    if (config === null || typeof config !== "object") throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object`);
    checkKnownKeys(owner, config, ["key", "relative", "base", "startStep"]);
    const { key = "lr", relative = false, base, startStep = 0 } = config;
    if (!(optimizer instanceof Optimizer) || optimizer.disposed) {
      throw new OptimError(optimizer?.disposed ? "DISPOSED" : "INVALID_ARGUMENT", `${owner}: expected a live optimizer`);
    }
    const groups = optimizer.paramGroups as readonly Record<string, unknown>[];
    if (typeof key !== "string" || !groups.every((g) => typeof g[key] === "number")) {
      const numeric = Object.keys(groups[0]).filter((k) => typeof groups[0][k] === "number");
      throw new OptimError("INVALID_ARGUMENT", `${owner}: ${JSON.stringify(key)} is not a numeric option of every param group (numeric options: ${numeric.join(", ")})`);
    }
    const schedules = typeof schedule === "function" ? groups.map(() => schedule) : schedule;
    if (!Array.isArray(schedules) || schedules.length !== groups.length || !schedules.every((s) => typeof s === "function")) {
      throw new OptimError("INVALID_ARGUMENT", `${owner}: expected a schedule, or an array of ${groups.length} schedules (one per param group)`);
    }
    if (typeof relative !== "boolean") invalid(owner, "relative", relative, "true or false");
    if (base !== undefined && (!relative || !Array.isArray(base) || base.length !== groups.length || !base.every(Number.isFinite))) {
      invalid(owner, "base", base, `${groups.length} finite numbers, with relative: true`);
    }
    if (!Number.isSafeInteger(startStep) || startStep < 0) invalid(owner, "startStep", startStep, "an integer >= 0");
    this.optimizer = optimizer;
    this.key = key;
    this.schedules = schedules.slice();
    this.base = relative ? (base ?? groups.map((g) => g[key] as number)).slice() : null;
    this.next = new Array<number>(groups.length).fill(0);
    this.current = new Array<number>(groups.length).fill(0);
    this.t = startStep;
    this.apply();
  }

  /** The step whose values are set now (0 after construction, unless startStep). */
  get stepCount(): number {
    return this.t;
  }

  /** The values set for the current step, one per group (torch's get_last_lr()). Do not modify. */
  get values(): readonly number[] {
    return this.current;
  }

  /** Moves to the next step and sets its value in every group. Throws, changing nothing, if a value is invalid. */
  step(): void {
    this.t++;
    try {
      this.apply();
    } catch (error) {
      this.t--;
      throw error;
    }
  }

  /** Computes and checks every group's value before writing any. */
  private apply(): void {
    if (this.optimizer.disposed) throw new OptimError("DISPOSED", "Scheduler: the optimizer has been disposed");
    this.optimizer.assertGroupsWritable([this.key]);
    const groups = this.optimizer.paramGroups as readonly Record<string, unknown>[];
    const count = this.next.length;
    for (let i = 0; i < count; i++) {
      const value = this.schedules[i](this.t) * (this.base === null ? 1 : this.base[i]);
      if (!Number.isFinite(value) || (this.key === "lr" && value < 0)) {
        invalid("Scheduler", `${this.key} of param group ${i} at step ${this.t}`, value, this.key === "lr" ? "a finite number >= 0" : "a finite number");
      }
      this.next[i] = value;
    }
    for (let i = 0; i < count; i++) {
      groups[i][this.key] = this.next[i];
      this.current[i] = this.next[i];
    }
  }
}
