import { describe, expect, it } from "vitest";
import {
  Adam, cosineAnnealingSchedule, lambdaSchedule, linearSchedule, ReduceLROnPlateau, Scheduler, SGD, stepSchedule,
} from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";

describe.each(BACKENDS)("Scheduler on %s", (backend) => {
  it("sets the lr of every group at construction and after each step, and the step uses it", async () => {
    const engine = await engineFor(backend);
    const a = engine.param(new Float32Array([1, 2, 3]));
    const b = engine.param(new Float32Array([4]));
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 123 });
    const schedule = stepSchedule({ init: 0.5, stepSize: 2, gamma: 0.5 });
    const sched = new Scheduler(opt, schedule);
    expect(sched.stepCount).toBe(0);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.5]);
    // With gradient 1 everywhere, SGD moves each value by −lr per step: 0.5, 0.5, 0.25, 0.25, 0.125.
    const expected = Float64Array.from([1, 2, 3]);
    for (let t = 0; t < 5; t++) {
      expect(sched.values).toEqual([schedule(t), schedule(t)]);
      a.grad.fill(1);
      b.grad.fill(1);
      opt.step();
      sched.step();
      for (let i = 0; i < 3; i++) expected[i] -= schedule(t);
    }
    expect(sched.stepCount).toBe(5);
    expect(Array.from(a.data)).toEqual(Array.from(expected, Math.fround));
    expect(opt.paramGroups[1].lr).toBe(schedule(5));
  });

  it("relative: scales each group's own lr (torch's semantics), one schedule per group allowed", async () => {
    const engine = await engineFor(backend);
    const opt = new Adam([{ params: [engine.param(2)], lr: 0.1 }, { params: [engine.param(2)], lr: 0.01 }]);
    const sched = new Scheduler(opt, linearSchedule({ init: 1, end: 0, steps: 4 }), { relative: true });
    sched.step();
    // Factor 0.75 at step 1: 0.075 and 0.0075.
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.075, 15);
    expect(opt.paramGroups[1].lr).toBeCloseTo(0.0075, 15);
    const perGroup = new Scheduler(opt, [lambdaSchedule(() => 0.3), lambdaSchedule((t) => t)], { relative: true, base: [1, 2] });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 0]);
    perGroup.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 2]);
  });

  it("drives any numeric option (SGD momentum here)", async () => {
    const engine = await engineFor(backend);
    const opt = new SGD([engine.param(4)], { lr: 0.1, momentum: 0.5 });
    const sched = new Scheduler(opt, linearSchedule({ init: 0.5, end: 0.9, steps: 4 }), { key: "momentum" });
    sched.step();
    expect(opt.paramGroups[0].momentum).toBeCloseTo(0.6, 15);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it("resumed at startStep after loadState, matches the uninterrupted run bit for bit", async () => {
    const engine = await engineFor(backend);
    const init = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i));
    const grad = (p: { data: Float32Array; grad: Float32Array }) => p.grad.set(p.data.map((x) => 2 * x - 0.3));
    const schedule = cosineAnnealingSchedule({ init: 0.05, steps: 20 });
    const run = (p: ReturnType<typeof engine.param>, opt: Adam, sched: Scheduler, steps: number) => {
      for (let t = 0; t < steps; t++) {
        grad(p);
        opt.step();
        sched.step();
      }
    };
    const whole = engine.param(init);
    const wholeOpt = new Adam([whole]);
    run(whole, wholeOpt, new Scheduler(wholeOpt, schedule), 12);

    const first = engine.param(init);
    const firstOpt = new Adam([first]);
    run(first, firstOpt, new Scheduler(firstOpt, schedule), 7);
    const saved = firstOpt.saveState();
    const second = engine.param(first.data);
    firstOpt.dispose();
    const secondOpt = new Adam([second]);
    secondOpt.loadState(saved);
    run(second, secondOpt, new Scheduler(secondOpt, schedule, { startStep: 7 }), 5);
    expect(Array.from(second.data)).toEqual(Array.from(whole.data));
  });
});

describe("Scheduler errors change nothing", () => {
  it("a schedule value the option cannot take is refused before any group is written", async () => {
    const engine = await engineFor("js");
    const opt = new SGD([{ params: [engine.param(1)], lr: 0.1 }, { params: [engine.param(1)], lr: 0.2 }]);
    const sched = new Scheduler(opt, [lambdaSchedule(() => 0.3), lambdaSchedule((t) => (t === 1 ? -1 : 0.4))]);
    expect(() => sched.step()).toThrow(/INVALID_HYPERPARAMETER: Scheduler: invalid lr of param group 1 at step 1 -1/);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 0.4]);
    expect(sched.stepCount).toBe(0);
  });

  it("rejects an unknown option, a wrong number of schedules, a bad startStep or base", async () => {
    const engine = await engineFor("js");
    const opt = new SGD([engine.param(1)], { lr: 0.1 });
    const s = stepSchedule({ init: 1, stepSize: 1 });
    expect(() => new Scheduler(opt, s, { key: "beta1" })).toThrow(/INVALID_ARGUMENT.*"beta1" is not a numeric option.*lr, momentum/);
    expect(() => new Scheduler(opt, s, { key: "nesterov" })).toThrow(/INVALID_ARGUMENT/);
    expect(() => new Scheduler(opt, [s, s])).toThrow(/an array of 1 schedules/);
    expect(() => new Scheduler(opt, s, { startStep: -1 })).toThrow(/invalid startStep -1/);
    expect(() => new Scheduler(opt, s, { base: [1] })).toThrow(/invalid base 1, expected 1 finite numbers, with relative: true/);
    expect(opt.paramGroups[0].lr).toBe(0.1);
    opt.dispose();
    expect(() => new Scheduler(opt, s)).toThrow(/DISPOSED/);
  });
});

describe("ReduceLROnPlateau", () => {
  async function sgd(lrs: number[]) {
    const engine = await engineFor("js");
    return new SGD(lrs.map((lr) => ({ params: [engine.param(1)], lr })));
  }

  it("follows a scripted loss sequence (torch semantics, derived step by step)", async () => {
    const opt = await sgd([1]);
    const plateau = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    // Improvement means loss < best·(1 − 0.1). Step by step (best, bad steps, cooldown):
    //  1: 10  better than ∞            best 10, bad 0
    //  2: 9   not < 9                  bad 1
    //  3: 8.5 < 9                      best 8.5, bad 0
    //  4: 8.9 not < 7.65               bad 1
    //  5: 8.2                          bad 2
    //  6: 8.0                          bad 3 > patience 2: lr 1 → 0.5, cooldown 1, bad 0
    //  7: 7.0 < 7.65                   best 7, bad 0; cooldown 1 → 0
    //  8: 7.5 not < 6.3                bad 1
    //  9: 7.4                          bad 2
    // 10: 7.3                          bad 3: lr 0.5 → 0.25, cooldown 1
    // 11: 7.2                          bad 1, but cooldown 1 → 0 resets it to 0
    // 12: 7.1                          bad 1
    // 13: 6.0 < 6.3                    best 6, bad 0
    const losses = [10, 9, 8.5, 8.9, 8.2, 8.0, 7.0, 7.5, 7.4, 7.3, 7.2, 7.1, 6.0];
    const lrs = [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25];
    const bad = [0, 1, 0, 1, 2, 0, 0, 1, 2, 0, 0, 1, 0];
    losses.forEach((loss, i) => {
      plateau.step(loss);
      expect([opt.paramGroups[0].lr, plateau.badSteps], `after loss ${i + 1}`).toEqual([lrs[i], bad[i]]);
    });
    expect(plateau.best).toBe(6);
    expect(plateau.reductionCount).toBe(2);
  });

  it("max mode with an absolute threshold, minLr per group, eps, and NaN as no improvement", async () => {
    const opt = await sgd([1, 0.02]);
    const plateau = new ReduceLROnPlateau(opt, { mode: "max", thresholdMode: "abs", threshold: 0.5, patience: 0, factor: 0.1, minLr: [0.05, 0.01] });
    plateau.step(1); // best 1
    plateau.step(1.4); // not > 1.5: bad 1 > 0 → lr 1 → 0.1, 0.02 → max(0.002, 0.01) = 0.01
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
    plateau.step(2); // > 1.5: best 2
    plateau.step(NaN); // never better: 0.1 → max(0.01, 0.05) = 0.05; group 1 already at its minimum
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.01]);
    expect(plateau.step(0)).toBe(false); // both at their minimum: nothing to reduce
    expect(plateau.reductionCount).toBe(2);
    const tiny = await sgd([1e-8]);
    const noEps = new ReduceLROnPlateau(tiny, { patience: 0 });
    noEps.step(1);
    noEps.step(1); // 1e-8 → 1e-9 changes it by 9e-9 < eps 1e-8: skipped, as torch
    expect(tiny.paramGroups[0].lr).toBe(1e-8);
  });

  it("validates its options", async () => {
    const opt = await sgd([1]);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/INVALID_HYPERPARAMETER: ReduceLROnPlateau: invalid factor 1/);
    expect(() => new ReduceLROnPlateau(opt, { patience: -1 })).toThrow(/invalid patience -1/);
    expect(() => new ReduceLROnPlateau(opt, { mode: "minimum" as never })).toThrow(/invalid mode "minimum"/);
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow(/invalid minLr 0,0/);
    expect(() => new ReduceLROnPlateau(opt, { threshold: -1 })).toThrow(/invalid threshold -1/);
    expect(() => new ReduceLROnPlateau(opt).step("1" as never)).toThrow(/INVALID_ARGUMENT/);
  });
});
