import { describe, expect, it } from "vitest";
import {
  constantSchedule, cosineAnnealingSchedule, cosineWarmRestartsSchedule, cyclicSchedule, exponentialSchedule, joinSchedules,
  lambdaSchedule, linearSchedule, linearWarmupSchedule, multiStepSchedule, oneCycleSchedule, polynomialSchedule, stepSchedule,
  type Schedule,
} from "../src/index.js";

// Each closed form is checked two ways: against values derived by hand at the boundaries (the
// derivation is in the comment), and over many steps against an independent oracle that walks the
// schedule one step at a time the way torch.optim.lr_scheduler's chainable get_lr() does.

const STEPS = 400;

function expectNear(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

/** Compares a schedule with a step-by-step oracle: next(t, previous value) gives the value at t. */
function expectWalk(schedule: Schedule, init: number, next: (t: number, previous: number) => number): void {
  let value = init;
  expectNear(schedule(0), value, "step 0");
  for (let t = 1; t < STEPS; t++) {
    value = next(t, value);
    expectNear(schedule(t), value, `step ${t}`);
  }
}

describe("closed-form schedules", () => {
  it("constant", () => {
    const s = constantSchedule(0.3);
    for (const t of [0, 1, 1e6]) expect(s(t)).toBe(0.3);
  });

  it("step: ×gamma every stepSize steps (torch StepLR)", () => {
    const s = stepSchedule({ init: 0.1, stepSize: 30, gamma: 0.5 });
    // Boundaries: 0.1 until step 29, 0.1·0.5 = 0.05 at 30, 0.1·0.5² = 0.025 at 60.
    expect(s(29)).toBe(0.1);
    expectNear(s(30), 0.05, "30");
    expectNear(s(59), 0.05, "59");
    expectNear(s(60), 0.025, "60");
    // torch's chainable form: multiply by gamma when t is a positive multiple of stepSize.
    expectWalk(s, 0.1, (t, v) => (t % 30 === 0 ? v * 0.5 : v));
    expect(stepSchedule({ init: 1, stepSize: 1 })(2)).toBeCloseTo(0.01, 15); // default gamma 0.1
  });

  it("multi-step: ×gamma at each milestone, repeated ones twice (torch MultiStepLR)", () => {
    const s = multiStepSchedule({ init: 1, milestones: [10, 25, 25, 90], gamma: 0.1 });
    // 1 before 10, 0.1 from 10, 0.1·0.1² = 1e-3 from 25 (listed twice), 1e-4 from 90.
    expect(s(9)).toBe(1);
    expectNear(s(10), 0.1, "10");
    expectNear(s(24), 0.1, "24");
    expectNear(s(25), 1e-3, "25");
    expectNear(s(90), 1e-4, "90");
    const count = (t: number) => [10, 25, 25, 90].filter((m) => m === t).length;
    expectWalk(s, 1, (t, v) => v * 0.1 ** count(t));
  });

  it("exponential (torch ExponentialLR)", () => {
    const s = exponentialSchedule({ init: 2, gamma: 0.99 });
    expectNear(s(1), 1.98, "1"); // 2·0.99
    expectWalk(s, 2, (_, v) => v * 0.99);
  });

  it("polynomial decays to end at `steps` and stays (Optax polynomial_schedule; torch PolynomialLR when end = 0)", () => {
    const s = polynomialSchedule({ init: 1, end: 0.1, power: 2, steps: 100 });
    // Halfway: (1 − 0.1)·0.5² + 0.1 = 0.325; at and after 100: 0.1.
    expectNear(s(50), 0.325, "50");
    expectNear(s(100), 0.1, "100");
    expectNear(s(350), 0.1, "350");
    // torch's chainable form (end 0): v ← v·((1 − t/T)/(1 − (t − 1)/T))^power while t <= T.
    const torchLike = polynomialSchedule({ init: 0.5, power: 1.5, steps: 120 });
    expectWalk(torchLike, 0.5, (t, v) => (t > 120 ? v : v * ((1 - t / 120) / (1 - (t - 1) / 120)) ** 1.5));
  });

  it("linear and linear warm-up (Optax linear_schedule, torch LinearLR)", () => {
    const s = linearSchedule({ init: 0.2, end: 1, steps: 8 });
    expectNear(s(4), 0.6, "4"); // 0.2 + 0.8·4/8
    expectNear(s(8), 1, "8");
    expectNear(s(9), 1, "9");
    expectWalk(s, 0.2, (t, v) => (t <= 8 ? v + 0.1 : v)); // 0.8/8 per step
    const w = linearWarmupSchedule({ peak: 3e-3, steps: 3 });
    expect(w(0)).toBe(0);
    expectNear(w(1), 1e-3, "1");
    expectNear(w(3), 3e-3, "3");
    expectNear(w(1000), 3e-3, "1000");
  });

  it("cosine annealing: the closed form, held at min after `steps` (where torch would rise again)", () => {
    const s = cosineAnnealingSchedule({ init: 1, steps: 100, min: 0.1 });
    // Quarter: 0.1 + 0.9·(1 + cos(π/4))/2; half: 0.1 + 0.9/2 = 0.55; end: 0.1.
    expectNear(s(25), 0.1 + (0.9 * (1 + Math.SQRT1_2)) / 2, "25");
    expectNear(s(50), 0.55, "50");
    expectNear(s(100), 0.1, "100");
    expectNear(s(250), 0.1, "250");
    // torch CosineAnnealingLR's chainable form, valid for 0 < t <= T:
    // v ← min + (v − min)·(1 + cos(πt/T))/(1 + cos(π(t − 1)/T)).
    expectWalk(s, 1, (t, v) => (t > 100 ? v : 0.1 + ((v - 0.1) * (1 + Math.cos((Math.PI * t) / 100))) / (1 + Math.cos((Math.PI * (t - 1)) / 100))));
  });

  it.each([1, 2, 3])("cosine with warm restarts, tMult %i (torch CosineAnnealingWarmRestarts)", (tMult) => {
    const s = cosineWarmRestartsSchedule({ init: 1, t0: 10, tMult, min: 0.01 });
    // torch's step(): Tcur += 1; when Tcur reaches Ti it wraps (Tcur −= Ti) and Ti ×= tMult.
    let tCur = 0;
    let ti = 10;
    expectWalk(s, 1, () => {
      tCur++;
      if (tCur >= ti) {
        tCur -= ti;
        ti *= tMult;
      }
      return 0.01 + (0.99 * (1 + Math.cos((Math.PI * tCur) / ti))) / 2;
    });
  });

  it("warm restarts at the cycle boundaries", () => {
    const s = cosineWarmRestartsSchedule({ init: 1, t0: 10, tMult: 2 });
    // Cycles [0, 10), [10, 30), [30, 70): restart to 1 at 10, 30, 70; mid-cycle 0.5 at 5, 20, 50.
    for (const t of [0, 10, 30, 70]) expectNear(s(t), 1, `restart ${t}`);
    for (const t of [5, 20, 50]) expectNear(s(t), 0.5, `middle ${t}`);
    expect(s(29)).toBeLessThan(0.01); // last step of the second cycle: (1 + cos(19π/20))/2 ≈ 0.006
    expectNear(s(12.5), (1 + Math.cos((Math.PI * 2.5) / 20)) / 2, "fractional step 12.5");
  });

  it("one-cycle: torch OneCycleLR phases", () => {
    const s = oneCycleSchedule({ max: 1, totalSteps: 100 });
    // start 1/25 = 0.04; peak at step 0.3·100 − 1 = 29; end 0.04/1e4 = 4e-6 at step 99.
    expectNear(s(0), 0.04, "0");
    expectNear(s(29), 1, "29");
    expectNear(s(99), 4e-6, "99");
    expectNear(s(150), 4e-6, "after the cycle");
    // Step 64 is halfway through the fall (29 → 99): (1 + 4e-6)/2 for cos and for linear.
    expectNear(s(64), (1 + 4e-6) / 2, "64");
    expectNear(oneCycleSchedule({ max: 1, totalSteps: 100, anneal: "linear" })(64), (1 + 4e-6) / 2, "64 linear");
    // Rise with cosine: at 14.5 of 29 steps, 0.04 + 0.96·(1 − cos(π/2))/2 = 0.52.
    expectNear(s(14.5), 0.52, "14.5");
    const three = oneCycleSchedule({ max: 1, totalSteps: 100, threePhase: true, anneal: "linear" });
    // Phases end at 29, 58, 99: back to 0.04 at 58, then linear to 4e-6.
    expectNear(three(29), 1, "3-phase 29");
    expectNear(three(58), 0.04, "3-phase 58");
    expectNear(three(99), 4e-6, "3-phase 99");
    expectNear(three(43.5), 0.52, "3-phase 43.5"); // halfway down the second phase: (1 + 0.04)/2
  });

  it("cyclic: triangular, triangular2, exp_range (torch CyclicLR)", () => {
    const tri = cyclicSchedule({ base: 1, max: 3, stepSizeUp: 4 });
    // Up over 4 steps, down over 4: 1, 1.5, 2, 2.5, 3, 2.5, 2, 1.5, 1, …
    expectWalk(tri, 1, (t, v) => v + (t % 8 >= 1 && t % 8 <= 4 ? 0.5 : -0.5));
    const tri2 = cyclicSchedule({ base: 1, max: 3, stepSizeUp: 4, mode: "triangular2" });
    expectNear(tri2(4), 3, "first peak");
    expectNear(tri2(12), 2, "second peak at half height"); // 1 + 2·1·(1/2)
    expectNear(tri2(20), 1.5, "third peak at a quarter");
    const exp = cyclicSchedule({ base: 1, max: 3, stepSizeUp: 4, mode: "exp_range", gamma: 0.9 });
    expectNear(exp(4), 1 + 2 * 0.9 ** 4, "exp_range peak");
    const skew = cyclicSchedule({ base: 0, max: 1, stepSizeUp: 1, stepSizeDown: 3 });
    // Up in 1 step, down in 3: 0, 1, 2/3, 1/3, 0.
    [0, 1, 2 / 3, 1 / 3, 0].forEach((v, t) => expectNear(skew(t), v, `skewed ${t}`));
  });

  it("join: warm-up then cosine, each restarting its count at the boundary (Optax join_schedules)", () => {
    const s = joinSchedules([linearWarmupSchedule({ peak: 1, steps: 5 }), cosineAnnealingSchedule({ init: 1, steps: 10 })], [5]);
    // 0, 0.2, …, 0.8 during warm-up; the cosine from 1 at step 5, 0.5 at 10, 0 at 15.
    expectNear(s(4), 0.8, "4");
    expectNear(s(5), 1, "5");
    expectNear(s(10), 0.5, "10");
    expectNear(s(15), 0, "15");
    const three = joinSchedules([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [3, 7]);
    expect([2, 3, 6, 7, 100].map(three)).toEqual([1, 2, 2, 3, 3]);
  });

  it("lambda: any function, its value checked at every call", () => {
    const s = lambdaSchedule((t) => 1 / (1 + t));
    expect(s(3)).toBe(0.25);
    const broken = lambdaSchedule((t) => (t === 2 ? NaN : 1));
    expect(broken(1)).toBe(1);
    expect(() => broken(2)).toThrow(/INVALID_HYPERPARAMETER.*NaN at step 2/);
  });

  it("rejects a negative or non-finite step", () => {
    for (const step of [-1, NaN, Infinity]) {
      expect(() => stepSchedule({ init: 1, stepSize: 2 })(step)).toThrow(/INVALID_ARGUMENT.*step must be/);
    }
  });
});

describe("schedule arguments are validated up front, naming the value", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["constant NaN", () => constantSchedule(NaN), /constantSchedule: invalid value NaN/],
    ["step size 0", () => stepSchedule({ init: 1, stepSize: 0 }), /stepSchedule: invalid stepSize 0, expected an integer >= 1/],
    ["step size 2.5", () => stepSchedule({ init: 1, stepSize: 2.5 }), /invalid stepSize 2.5/],
    ["step gamma -1", () => stepSchedule({ init: 1, stepSize: 2, gamma: -1 }), /invalid gamma -1/],
    ["missing init", () => stepSchedule({ stepSize: 2 } as never), /invalid init undefined/],
    ["milestones decrease", () => multiStepSchedule({ init: 1, milestones: [5, 3] }), /invalid milestones\[1\] 3, expected an integer >= 5/],
    ["milestones not an array", () => multiStepSchedule({ init: 1, milestones: 5 as never }), /invalid milestones 5/],
    ["exponential gamma 0", () => exponentialSchedule({ init: 1, gamma: 0 }), /invalid gamma 0/],
    ["polynomial steps 0", () => polynomialSchedule({ init: 1, steps: 0 }), /invalid steps 0/],
    ["polynomial power -1", () => polynomialSchedule({ init: 1, steps: 3, power: -1 }), /invalid power -1/],
    ["linear end Infinity", () => linearSchedule({ init: 0, end: Infinity, steps: 3 }), /invalid end Infinity/],
    ["warm-up steps -3", () => linearWarmupSchedule({ peak: 1, steps: -3 }), /linearWarmupSchedule: invalid steps -3/],
    ["cosine steps 0", () => cosineAnnealingSchedule({ init: 1, steps: 0 }), /invalid steps 0/],
    ["restarts tMult 1.5", () => cosineWarmRestartsSchedule({ init: 1, t0: 10, tMult: 1.5 }), /invalid tMult 1.5/],
    ["restarts t0 0", () => cosineWarmRestartsSchedule({ init: 1, t0: 0 }), /invalid t0 0/],
    ["one-cycle pctStart 1", () => oneCycleSchedule({ max: 1, totalSteps: 100, pctStart: 1 }), /invalid pctStart 1, expected a number in \(0, 1\)/],
    ["one-cycle phase of no steps", () => oneCycleSchedule({ max: 1, totalSteps: 3, pctStart: 0.3 }), /invalid pctStart 0.3, expected a value giving every phase/],
    ["one-cycle anneal", () => oneCycleSchedule({ max: 1, totalSteps: 100, anneal: "cosine" as never }), /invalid anneal "cosine"/],
    ["cyclic mode", () => cyclicSchedule({ base: 0, max: 1, mode: "sine" as never }), /invalid mode "sine"/],
    ["cyclic stepSizeDown 0", () => cyclicSchedule({ base: 0, max: 1, stepSizeDown: 0 }), /invalid stepSizeDown 0/],
    ["join boundaries count", () => joinSchedules([constantSchedule(1), constantSchedule(2)], []), /invalid boundaries/],
    ["join boundaries order", () => joinSchedules([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [5, 5]), /invalid boundaries\[1\] 5, expected an integer >= 6/],
    ["join non-function", () => joinSchedules([constantSchedule(1), 3 as never], [2]), /invalid schedules\[1\] 3/],
    ["lambda non-function", () => lambdaSchedule(2 as never), /lambdaSchedule: invalid fn 2/],
  ];
  it.each(cases)("%s", (_, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "OptimError", code: "INVALID_HYPERPARAMETER" });
    expect(String((error as Error).message)).toMatch(message);
  });
});
