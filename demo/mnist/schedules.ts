import { cosineAnnealingSchedule, multiStepSchedule, type Schedule } from "../../src/index.js";

/** Builds a run's lr schedule, per mini-batch step, once the run's length is known. */
export type ScheduleFactory = (lr: number, totalSteps: number) => Schedule;

/** Cosine annealing from the base lr to 0 over the whole run (torch CosineAnnealingLR, eta_min 0, stepped per batch). */
export const cosine: ScheduleFactory = (lr, totalSteps) => cosineAnnealingSchedule({ init: lr, steps: totalSteps });

/** ×0.1 after half of the run and again after three quarters (torch MultiStepLR, gamma 0.1). */
export const stepDecay: ScheduleFactory = (lr, totalSteps) =>
  multiStepSchedule({ init: lr, milestones: [Math.round(0.5 * totalSteps), Math.round(0.75 * totalSteps)] });
