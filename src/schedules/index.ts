// Learning-rate schedules: pure functions of the step, the Scheduler that applies them, and plateau.
export type { Schedule } from "./check.js";
export {
  constantSchedule, stepSchedule, multiStepSchedule, exponentialSchedule, polynomialSchedule, linearSchedule, linearWarmupSchedule,
  type StepScheduleOptions, type MultiStepScheduleOptions, type ExponentialScheduleOptions, type PolynomialScheduleOptions,
  type LinearScheduleOptions, type LinearWarmupScheduleOptions,
} from "./decay.js";
export { cosineAnnealingSchedule, cosineWarmRestartsSchedule, type CosineAnnealingScheduleOptions, type CosineWarmRestartsScheduleOptions } from "./cosine.js";
export { oneCycleSchedule, cyclicSchedule, type OneCycleScheduleOptions, type CyclicScheduleOptions } from "./cycles.js";
export { joinSchedules, lambdaSchedule } from "./combine.js";
export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
