import { checkStep, finite, options, positiveInteger, type Schedule } from "./check.js";

/** min + (max − min)·(1 + cos(π·progress))/2: from max at progress 0 down to min at 1. */
function cosineBetween(max: number, min: number, progress: number): number {
  return min + ((max - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}

export interface CosineAnnealingScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** Steps to anneal over (torch's T_max). */
  steps: number;
  /** The value at `steps` and after (torch's eta_min, default 0). */
  min?: number;
}

/**
 * Cosine annealing, min + (init − min)·(1 + cos(π·t/steps))/2 for t <= steps (torch CosineAnnealingLR's
 * closed form). Differs from torch after `steps`: this stays at min (as Optax's cosine_decay_schedule),
 * where torch's keeps following the cosine back up; use `cosineWarmRestartsSchedule` for cycles.
 */
export function cosineAnnealingSchedule(config: CosineAnnealingScheduleOptions): Schedule {
  const owner = "cosineAnnealingSchedule";
  const { init, steps, min = 0 } = options(owner, config, ["init", "steps", "min"]);
  finite(owner, "init", init);
  positiveInteger(owner, "steps", steps);
  finite(owner, "min", min);
  return (step) => {
    checkStep(owner, step);
    return cosineBetween(init!, min, Math.min(step, steps!) / steps!);
  };
}

export interface CosineWarmRestartsScheduleOptions {
  init: number;
  /** Length of the first cycle in steps (torch's T_0). */
  t0: number;
  /** Each cycle is tMult times longer than the one before (an integer, default 1). */
  tMult?: number;
  /** The value each cycle anneals towards (default 0). */
  min?: number;
}

/**
 * SGDR (Loshchilov & Hutter), torch CosineAnnealingWarmRestarts: cycle i lasts t0·tMultⁱ steps and
 * anneals from init towards min, restarting at init. Within a cycle, at tCur steps from its start:
 * min + (init − min)·(1 + cos(π·tCur/Tᵢ))/2. Cycle starts are found by summing lengths (exact in
 * integers) rather than torch's logarithm, which can land on the wrong side of a boundary.
 */
export function cosineWarmRestartsSchedule(config: CosineWarmRestartsScheduleOptions): Schedule {
  const owner = "cosineWarmRestartsSchedule";
  const { init, t0, tMult = 1, min = 0 } = options(owner, config, ["init", "t0", "tMult", "min"]);
  finite(owner, "init", init);
  positiveInteger(owner, "t0", t0);
  positiveInteger(owner, "tMult", tMult);
  finite(owner, "min", min);
  return (step) => {
    checkStep(owner, step);
    let start = 0;
    let length = t0!;
    if (tMult === 1) start = Math.floor(step / length) * length;
    else {
      while (step >= start + length) {
        start += length;
        length *= tMult;
      }
    }
    return cosineBetween(init!, min, (step - start) / length);
  };
}
