// Item 13 of the hardening issue: the structure of the param groups cannot be changed from outside
// (only option values can): the list is frozen, each group sealed, its params read-only.
import { describe, expect, it } from "vitest";
import { createEngine, findLearningRate, ReduceLROnPlateau, Scheduler, SGD } from "../../src/index.js";
import { expectUnchanged, FAMILIES_ALL_SLOTS, fill, observe } from "./world.js";

describe("param group structure", () => {
  it.each(FAMILIES_ALL_SLOTS)("%s: params, the group list and group keys cannot be changed; option values can", async (_, Family, options) => {
    const engine = await createEngine();
    const [a, b, other] = [fill(engine.param(4), 1), fill(engine.param(3), 2), fill(engine.param(9), 3)];
    const opt = new Family([{ params: [a] }, { params: [b] }] as never, options);
    opt.step();
    const before = observe(engine, [a, b, other], [opt]);
    const groups = opt.paramGroups as unknown as Record<string, unknown>[];
    const attempts: [string, () => void][] = [
      ["assign params", () => (groups[0].params = [other])],
      ["push into params", () => (groups[0].params as unknown[]).push(other)],
      ["replace a param", () => ((groups[0].params as unknown[])[0] = other)],
      ["delete params", () => delete groups[0].params],
      ["push a group", () => (groups as unknown[]).push({ params: [other] })],
      ["replace a group", () => ((groups as unknown[])[1] = { ...groups[0] })],
      ["shrink the list", () => ((groups as unknown[]).length = 1)],
      ["add an option key", () => (groups[0].lrr = 0.1)],
      ["delete an option", () => delete groups[0].lr],
      ["redefine params", () => Object.defineProperty(groups[0], "params", { value: [other] })],
    ];
    for (const [label, attempt] of attempts) expect(attempt, label).toThrow(TypeError);
    expect(observe(engine, [a, b, other], [opt])).toEqual(before);
    opt.step(); // still steps over its own params only
    expect(Array.from(other.data)).toEqual((before as { params: { data: number[] }[] }).params[2].data.map((bitsOf) => new Float32Array(new Uint32Array([bitsOf]).buffer)[0]));
    groups[1].lr = 0.5; // values stay writable (schedules)
    expect(opt.paramGroups[1].lr).toBe(0.5);
  });
});

describe("a group the user froze", () => {
  it("loadState, Scheduler, ReduceLROnPlateau and findLearningRate refuse it before writing anything", async () => {
    const engine = await createEngine();
    const [a, b] = [fill(engine.param(4), 1), fill(engine.param(3), 2)];
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    opt.step();
    const bytes = opt.saveState();
    const plateau = new ReduceLROnPlateau(opt, { patience: 0 });
    plateau.step(1);
    Object.freeze(opt.paramGroups[1]);
    const world = () => observe(engine, [a, b], [opt]);
    expectUnchanged(world, () => opt.loadState(bytes), "INVALID_ARGUMENT");
    expectUnchanged(world, () => new Scheduler(opt, () => 0.5), "INVALID_ARGUMENT");
    expectUnchanged(world, () => plateau.step(2), "INVALID_ARGUMENT");
    expect(plateau.stepCount).toBe(1);
    expectUnchanged(world, () => findLearningRate(opt, () => 1), "INVALID_ARGUMENT");
    opt.step(); // stepping reads options only: still fine
  });
});
