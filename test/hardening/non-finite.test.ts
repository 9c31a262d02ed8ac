// Item 8 of the hardening issue: nonFinite "throw" refuses a step with nothing observable changed,
// lastGradNorm and skippedSteps included; "skip" counts the step and records the norm it measured.
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { expectUnchanged, FAMILIES_ALL_SLOTS, fill, observe } from "./world.js";

describe("nonFinite: throw changes nothing", () => {
  for (const maxGradNorm of [Infinity, 1]) {
    it.each(FAMILIES_ALL_SLOTS)(`%s (maxGradNorm ${maxGradNorm}): before and after a first step`, async (_, Family, options) => {
      const engine = await createEngine();
      const p = fill(engine.param(6), 1);
      const opt = new Family([p], { ...options, nonFinite: "throw", maxGradNorm });
      const good = p.grad.slice();
      for (const bad of [NaN, Infinity, -Infinity]) {
        p.grad[3] = bad;
        expectUnchanged(() => observe(engine, [p], [opt]), () => opt.step(), "NON_FINITE");
      }
      p.grad.set(good);
      opt.step();
      const norm = opt.lastGradNorm;
      expect(norm).toBeGreaterThan(0);
      p.grad[0] = NaN;
      expectUnchanged(() => observe(engine, [p], [opt]), () => opt.step(), "NON_FINITE");
      expect(opt.lastGradNorm).toBe(norm);
    });
  }

  it.each(FAMILIES_ALL_SLOTS)("%s: skip counts the step, records its norm, and writes nothing else", async (_, Family, options) => {
    const engine = await createEngine();
    const p = fill(engine.param(6), 1);
    const opt = new Family([p], { ...options, nonFinite: "skip" });
    p.grad[2] = Infinity;
    const data = p.data.slice();
    opt.step();
    expect(opt.skippedSteps).toBe(1);
    expect(opt.lastGradNorm).toBe(Infinity);
    expect(p.data).toEqual(data);
    expect(opt.getState(p).step).toBe(0);
  });
});
