// Items 9 and 10 of the hardening issue: option names are the family's own keys (nothing inherited
// from Object.prototype), and an empty param group is refused; each refusal changes nothing.
import { describe, expect, it } from "vitest";
import { clipGradNorm, cosineAnnealingSchedule, createEngine, findLearningRate, multiStepSchedule, ReduceLROnPlateau, Scheduler, SGD, stepSchedule } from "../../src/index.js";
import { expectOptimError } from "../helpers/errors.js";
import { expectUnchanged, FAMILIES_ALL_SLOTS, fill, observe } from "./world.js";

const INHERITED = ["toString", "constructor", "hasOwnProperty", "valueOf", "__proto__", "isPrototypeOf", "toLocaleString"];

/** An object with `key` as an own enumerable property (an object literal's `__proto__:` would set the prototype instead). */
function withKey(key: string, value: unknown, rest: object = {}): Record<string, unknown> {
  return Object.defineProperty({ ...rest }, key, { value, enumerable: true, configurable: true, writable: true });
}

describe("option names", () => {
  it.each(FAMILIES_ALL_SLOTS)("%s: inherited names are refused in options, groups and addParamGroup", async (_, Family) => {
    const engine = await createEngine();
    const [p, q] = [fill(engine.param(4), 1), fill(engine.param(3), 2)];
    for (const key of INHERITED) {
      for (const value of [1, () => 1, "x", {}]) {
        expectUnchanged(() => observe(engine, [p]), () => new Family([p], withKey(key, value)), "INVALID_HYPERPARAMETER");
        expectUnchanged(() => observe(engine, [p]), () => new Family([withKey(key, value, { params: [p] })] as never), "INVALID_HYPERPARAMETER");
      }
    }
    const opt = new Family([p]);
    opt.step();
    for (const key of INHERITED) {
      const error = expectUnchanged(() => observe(engine, [p, q], [opt]), () => opt.addParamGroup(withKey(key, 0.1, { params: [q] }) as never), "INVALID_HYPERPARAMETER");
      expect(error.message).toContain(key);
    }
  });

  it("options that are not objects are refused with INVALID_ARGUMENT", async () => {
    const engine = await createEngine();
    const p = engine.param(2);
    const [, Family] = FAMILIES_ALL_SLOTS[0];
    for (const options of [null, 5, "lr", [0.1]]) expectOptimError(() => new Family([p], options as never), "INVALID_ARGUMENT");
    expect(p.owner).toBeNull();
  });
});

describe("empty param groups are refused", () => {
  it.each(FAMILIES_ALL_SLOTS)("%s: in the constructor and in addParamGroup, allocating nothing", async (_, Family, options) => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    expectUnchanged(() => observe(engine, [p]), () => new Family([{ params: [p] }, { params: [] }] as never, options), "INVALID_ARGUMENT");
    expectUnchanged(() => observe(engine, [p]), () => new Family([{ params: [] }] as never, options), "INVALID_ARGUMENT");
    expect(p.owner).toBeNull();
    const opt = new Family([p], options);
    const error = expectUnchanged(() => observe(engine, [p], [opt]), () => opt.addParamGroup({ params: [] } as never), "INVALID_ARGUMENT");
    expect(error.message).toMatch(/at least one parameter/);
  });
});

describe("unknown options of the helpers around the step", () => {
  it("schedules, Scheduler, ReduceLROnPlateau, findLearningRate and clipGradNorm refuse a misspelt option", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    const opt = new SGD([p], { lr: 0.1 });
    const world = () => observe(engine, [p], [opt]);
    expectUnchanged(world, () => clipGradNorm([p], 1, 2, { errorIfNonFinite: true } as never), "INVALID_HYPERPARAMETER");
    expectUnchanged(world, () => findLearningRate(opt, () => 1, { startlr: 1e-5 } as never), "INVALID_HYPERPARAMETER");
    expectUnchanged(world, () => new Scheduler(opt, () => 1, { startstep: 3 } as never), "INVALID_HYPERPARAMETER");
    expectUnchanged(world, () => new ReduceLROnPlateau(opt, { patiense: 3 } as never), "INVALID_HYPERPARAMETER");
    expectOptimError(() => stepSchedule({ init: 1, stepSize: 2, gama: 0.5 } as never), "INVALID_HYPERPARAMETER");
    expectOptimError(() => cosineAnnealingSchedule({ init: 1, steps: 10, minimum: 0 } as never), "INVALID_HYPERPARAMETER");
    expectOptimError(() => multiStepSchedule({ init: 1, milestones: [, 3] as never }), "INVALID_HYPERPARAMETER");
  });
});
