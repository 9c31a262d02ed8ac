// The race on the landscape: one 2-float parameter per optimizer, all in the library's engine,
// stepped together. No DOM here, so it runs the same in Node.
import type { Engine, Optimizer, Param, Schedule } from "../src/index.js";
import { gaussian } from "./noise.js";
import type { OptimizerEntry, Options, OptionValue, Stepper } from "./optimizers.js";
import { lrMultiplier, type ScheduleChoice } from "./schedules.js";
import type { Surface } from "./surfaces.js";

/** A position this far out, or a non-finite loss, counts as diverged. */
const DIVERGED = 1e6;

export class Run {
  /** The options as the controls set them; `lr` is the base the schedule multiplies. */
  readonly options: Options;
  enabled: boolean;
  /** x0, y0, x1, y1, …: the float32 positions from the start, one pair per step. */
  path: number[] = [];
  /** The true (noise-free) loss at each position of `path`. */
  losses: number[] = [];
  /** Why this run is not moving: its last step was refused (it retries every step) or it diverged. */
  error: string | null = null;
  diverged = false;
  private param: Param | null = null;
  private optimizer: Optimizer<any> | null = null;
  /** What a step calls: the optimizer, or the companion the entry wraps it in (Lookahead). */
  private stepper: Stepper | null = null;
  private readonly gradient = new Float64Array(2);

  constructor(
    readonly entry: OptimizerEntry,
    readonly colour: string,
  ) {
    this.options = { ...entry.options };
    this.enabled = entry.on;
  }

  get label(): string {
    return this.entry.label;
  }

  /** Starts over at `start` with fresh optimizer state (or stops, when disabled). */
  restart(sim: Simulation): void {
    this.dispose();
    this.path = [];
    this.losses = [];
    this.error = null;
    this.diverged = false;
    if (!this.enabled) return;
    const param = (this.param = sim.engine.param(new Float32Array(sim.start), { name: this.label, shape: this.entry.shape }));
    this.optimizer = this.entry.make([param], { ...this.options });
    this.stepper = this.entry.wrap?.(this.optimizer) ?? this.optimizer;
    this.record(sim.surface);
  }

  /** Changes an option now; the lr reaches the optimizer, times the schedule, at the next step. */
  setOption(key: string, value: OptionValue): void {
    this.options[key] = value;
    if (this.optimizer && key !== "lr") (this.optimizer.paramGroups[0] as Options)[key] = value;
  }

  step(sim: Simulation, closure: () => number): void {
    const optimizer = this.optimizer;
    if (!optimizer || this.diverged) return;
    if (optimizer.maxGradNorm !== sim.maxGradNorm) optimizer.maxGradNorm = sim.maxGradNorm;
    if (typeof this.options.lr === "number") {
      (optimizer.paramGroups[0] as Options).lr = this.options.lr * sim.lrFactor(sim.stepCount);
    }
    try {
      this.stepper!.step(closure);
      this.error = null;
    } catch (error) {
      // An invalid combination of options (the library checks before writing anything): wait
      // here, trying again each step, until the controls make it valid.
      this.error = error instanceof Error ? error.message : String(error);
      return;
    }
    this.record(sim.surface);
  }

  /** Loss and noisy gradient at the current position, written into the parameter's gradient. */
  evaluate(sim: Simulation): number {
    const param = this.param!;
    const x = param.data;
    const g = param.grad;
    sim.surface.gradient(x[0], x[1], this.gradient);
    g[0] = this.gradient[0] + sim.noise * gaussian(sim.stepCount, 0);
    g[1] = this.gradient[1] + sim.noise * gaussian(sim.stepCount, 1);
    return sim.surface.loss(x[0], x[1]);
  }

  dispose(): void {
    if (this.stepper !== this.optimizer) this.stepper?.dispose();
    this.optimizer?.dispose();
    this.param?.dispose();
    this.optimizer = null;
    this.stepper = null;
    this.param = null;
  }

  private record(surface: Surface): void {
    const [x, y] = this.param!.data;
    const loss = surface.loss(x, y);
    this.path.push(x, y);
    this.losses.push(loss);
    if (!Number.isFinite(loss) || Math.abs(x) > DIVERGED || Math.abs(y) > DIVERGED) {
      this.diverged = true;
      this.error = `diverged at step ${this.losses.length - 1}`;
    }
  }
}

export class Simulation {
  surface: Surface;
  start: [number, number];
  /** σ of the Gaussian noise added to each gradient coordinate. */
  noise = 0;
  /** Multiplies each optimizer's lr control at each step; made from the schedule choice and the horizon. */
  lrFactor: Schedule;
  /** Every optimizer clips its gradient's norm to this inside its step (Infinity: no clipping). */
  maxGradNorm = Infinity;
  private scheduleChoice: ScheduleChoice;
  /** The step the animation stops at; schedules run over it. */
  private stopAt = 500;
  /** Steps taken since the last restart. */
  stepCount = 0;
  readonly runs: Run[];
  private readonly closures: (() => number)[];

  constructor(
    readonly engine: Engine,
    runs: Run[],
    surface: Surface,
    schedule: ScheduleChoice,
  ) {
    this.runs = runs;
    this.surface = surface;
    this.start = [surface.start[0], surface.start[1]];
    this.scheduleChoice = schedule;
    this.lrFactor = lrMultiplier(schedule, this.stopAt);
    // One closure per run, made once: a step allocates nothing of its own.
    this.closures = runs.map((run) => () => run.evaluate(this));
    this.restart();
  }

  get schedule(): ScheduleChoice {
    return this.scheduleChoice;
  }

  /** A new schedule takes effect at the next step, at the step count reached. */
  set schedule(choice: ScheduleChoice) {
    this.scheduleChoice = choice;
    this.lrFactor = lrMultiplier(choice, this.stopAt);
  }

  get horizon(): number {
    return this.stopAt;
  }

  set horizon(steps: number) {
    this.stopAt = steps;
    this.lrFactor = lrMultiplier(this.scheduleChoice, steps);
  }

  restart(): void {
    this.stepCount = 0;
    for (const run of this.runs) run.restart(this);
  }

  /** One step of every enabled optimizer, each from its own position, with the same noise draw. */
  advance(): void {
    for (let i = 0; i < this.runs.length; i++) this.runs[i].step(this, this.closures[i]);
    this.stepCount++;
  }

  dispose(): void {
    for (const run of this.runs) run.dispose();
  }
}
