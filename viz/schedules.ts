// The lr schedules the page offers, from the library's own schedule functions. Each is made with
// init 1 over the "stop at" horizon, so it gives a multiplier: the lr of step t (0-based) is the
// optimizer's lr control times schedule(t). (The library's Scheduler would instead multiply the lr
// a group had when it was created; the page's lr slider has to keep working mid-run.)
import {
  constantSchedule,
  cosineAnnealingSchedule,
  cosineWarmRestartsSchedule,
  exponentialSchedule,
  linearWarmupSchedule,
  oneCycleSchedule,
  stepSchedule,
  type Schedule,
} from "../src/index.js";

export interface ScheduleChoice {
  readonly id: string;
  readonly label: string;
  /** The multiplier over `horizon` steps (at least MIN_HORIZON, so every phase has a step). */
  make(horizon: number): Schedule;
}

/** One-cycle needs its rising phase, 30% of the horizon, to last at least a step. */
export const MIN_HORIZON = 10;

export const SCHEDULES: readonly ScheduleChoice[] = [
  { id: "constant", label: "constant", make: () => constantSchedule(1) },
  { id: "step", label: "step decay (×½ every quarter)", make: (h) => stepSchedule({ init: 1, stepSize: Math.floor(h / 4), gamma: 0.5 }) },
  { id: "exponential", label: "exponential (to 1% at the end)", make: (h) => exponentialSchedule({ init: 1, gamma: 0.01 ** (1 / h) }) },
  { id: "cosine", label: "cosine annealing", make: (h) => cosineAnnealingSchedule({ init: 1, steps: h }) },
  { id: "restarts", label: "cosine, 4 warm restarts", make: (h) => cosineWarmRestartsSchedule({ init: 1, t0: Math.floor(h / 4) }) },
  { id: "warmup", label: "linear warm-up (first 10%)", make: (h) => linearWarmupSchedule({ init: 0.1, peak: 1, steps: Math.floor(h / 10) }) },
  { id: "one-cycle", label: "one-cycle", make: (h) => oneCycleSchedule({ max: 1, totalSteps: h }) },
];

/** The multiplier of `choice` for a horizon the user typed (clamped to what every schedule accepts). */
export function lrMultiplier(choice: ScheduleChoice, horizon: number): Schedule {
  return choice.make(Math.max(MIN_HORIZON, Math.round(horizon)));
}
