import { invalid } from "../validation.js";
import { checkStep, finite, fraction, oneOfChoices, options, positive, positiveInteger, type Schedule } from "./check.js";

export interface OneCycleScheduleOptions {
  /** The peak value. */
  max: number;
  /** Length of the whole cycle in steps (torch's total_steps). */
  totalSteps: number;
  /** Fraction of the cycle spent rising (default 0.3). */
  pctStart?: number;
  /** The start is max / divFactor (default 25). */
  divFactor?: number;
  /** The end is start / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** How each phase moves between its ends: "cos" (default) or "linear". */
  anneal?: "cos" | "linear";
  /** Rise, fall back to the start, then anneal to the end (fast.ai's original), instead of rise then anneal. */
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topin), torch OneCycleLR's closed form for the learning rate: from
 * max/divFactor up to max over the first pctStart of the cycle, then down to
 * max/(divFactor·finalDivFactor) at step totalSteps − 1. Phase ends are torch's (pctStart·totalSteps − 1,
 * …, totalSteps − 1). Differences: after the last step this stays at the end value where torch raises;
 * momentum is not cycled here — drive `beta1` or `momentum` with a second `Scheduler` if wanted.
 */
export function oneCycleSchedule(config: OneCycleScheduleOptions): Schedule {
  const owner = "oneCycleSchedule";
  const { max, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4, anneal = "cos", threePhase = false } = options(owner, config, ["max", "totalSteps", "pctStart", "divFactor", "finalDivFactor", "anneal", "threePhase"]);
  finite(owner, "max", max);
  positiveInteger(owner, "totalSteps", totalSteps);
  fraction(owner, "pctStart", pctStart);
  positive(owner, "divFactor", divFactor);
  positive(owner, "finalDivFactor", finalDivFactor);
  oneOfChoices(owner, "anneal", anneal, ["cos", "linear"] as const);
  if (typeof threePhase !== "boolean") invalid(owner, "threePhase", threePhase, "true or false");
  const initial = max! / divFactor;
  const end = initial / finalDivFactor;
  const rise = pctStart * totalSteps! - 1;
  // Every phase must have a positive length, else torch divides 0 by 0 at its first step.
  const phases = threePhase
    ? [ { end: rise, from: initial, to: max! }, { end: 2 * rise, from: max!, to: initial }, { end: totalSteps! - 1, from: initial, to: end } ]
    : [ { end: rise, from: initial, to: max! }, { end: totalSteps! - 1, from: max!, to: end } ];
  let previous = 0;
  for (const phase of phases) {
    if (!(phase.end > previous)) {
      invalid(owner, "pctStart", pctStart, `a value giving every phase at least one step with totalSteps ${totalSteps}${threePhase ? " and threePhase" : ""}`);
    }
    previous = phase.end;
  }
  const shape = anneal === "cos" ? (from: number, to: number, p: number) => to + ((from - to) * (1 + Math.cos(Math.PI * p))) / 2 : (from: number, to: number, p: number) => from + (to - from) * p;
  return (step) => {
    checkStep(owner, step);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i];
      if (step <= phase.end || i === phases.length - 1) return shape(phase.from, phase.to, Math.min(1, (step - start) / (phase.end - start)));
      start = phase.end;
    }
    return end; // not reached: the last phase always returns
  };
}

export interface CyclicScheduleOptions {
  /** The lower bound of the cycle (torch's base_lr). */
  base: number;
  /** The upper bound (torch's max_lr). */
  max: number;
  /** Steps rising from base to max (default 2000, as torch). */
  stepSizeUp?: number;
  /** Steps falling back (default stepSizeUp). */
  stepSizeDown?: number;
  /** "triangular" (default), "triangular2" (amplitude halves each cycle) or "exp_range" (amplitude ×gammaᵗ). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** For "exp_range" (default 1). */
  gamma?: number;
}

/**
 * Cyclical learning rates (Smith), torch CyclicLR: at step t, with cycle c = ⌊1 + t/(up + down)⌋ and
 * x = 1 + t/(up + down) − c, the height rises linearly over the first up/(up + down) of the cycle and
 * falls over the rest; value = base + (max − base)·height·scale, scale 1, 1/2^(c−1) or gammaᵗ by mode.
 * torch also cycles momentum inversely by default; here a second `Scheduler` does that if wanted.
 */
export function cyclicSchedule(config: CyclicScheduleOptions): Schedule {
  const owner = "cyclicSchedule";
  const { base, max, stepSizeUp = 2000, stepSizeDown, mode = "triangular", gamma = 1 } = options(owner, config, ["base", "max", "stepSizeUp", "stepSizeDown", "mode", "gamma"]);
  finite(owner, "base", base);
  finite(owner, "max", max);
  positiveInteger(owner, "stepSizeUp", stepSizeUp);
  const down = stepSizeDown === undefined ? stepSizeUp : positiveInteger(owner, "stepSizeDown", stepSizeDown);
  oneOfChoices(owner, "mode", mode, ["triangular", "triangular2", "exp_range"] as const);
  positive(owner, "gamma", gamma);
  const total = stepSizeUp + down;
  const upRatio = stepSizeUp / total;
  return (step) => {
    checkStep(owner, step);
    const cycle = Math.floor(1 + step / total);
    const x = 1 + step / total - cycle;
    const height = x <= upRatio ? x / upRatio : (x - 1) / (upRatio - 1);
    const scale = mode === "triangular" ? 1 : mode === "triangular2" ? 1 / Math.pow(2, cycle - 1) : Math.pow(gamma, step);
    return base! + (max! - base!) * height * scale;
  };
}
