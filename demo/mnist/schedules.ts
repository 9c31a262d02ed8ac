/**
 * Learning-rate multipliers as functions of the fraction of training done, t in [0, 1), set on
 * every param group before each step. (The library has no schedules module yet; when it lands,
 * these become thin calls into it.)
 */
export type LrSchedule = (t: number) => number;

/** Cosine annealing from the base lr down to 0 over the whole run (torch CosineAnnealingLR, eta_min 0). */
export const cosine: LrSchedule = (t) => 0.5 * (1 + Math.cos(Math.PI * t));

/** Step decay: ×0.1 after half of the run and again after three quarters (torch MultiStepLR, gamma 0.1). */
export const stepDecay: LrSchedule = (t) => (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01);
