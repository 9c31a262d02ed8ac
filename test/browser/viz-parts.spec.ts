// The visualizer's parts, checked in Node: the landscapes (gradients against central differences,
// each listed minimum a stationary point with the stated value), the noise, the schedules, the sliders.
import { describe, expect, it } from "vitest";
import { formatValue, fromSlider, knobFor, SLIDER_STEPS, toSlider } from "../../viz/knobs.js";
import { gaussian } from "../../viz/noise.js";
import { lrMultiplier, SCHEDULES } from "../../viz/schedules.js";
import { SURFACES } from "../../viz/surfaces.js";

const surfaces = [1, 1000].flatMap((condition) => SURFACES.map((choice) => choice.make(condition)));

describe.each(surfaces.map((s) => [s.label, s] as const))("%s", (_, surface) => {
  it("has the gradient of its loss (central differences at 20 points of its view)", () => {
    const g = new Float64Array(2);
    const h = 1e-6;
    const { cx, cy, halfWidth } = surface.view;
    for (let k = 0; k < 20; k++) {
      // Points spread over the view by the golden-ratio sequence: no randomness, no grid alignment.
      const x = cx + halfWidth * (2 * ((k * 0.618034) % 1) - 1);
      const y = cy + 0.75 * halfWidth * (2 * ((k * 0.381966 + 0.5) % 1) - 1);
      surface.gradient(x, y, g);
      const dx = (surface.loss(x + h, y) - surface.loss(x - h, y)) / (2 * h);
      const dy = (surface.loss(x, y + h) - surface.loss(x, y - h)) / (2 * h);
      expect(g[0]).toBeCloseTo(dx, Math.abs(dx) > 100 ? 1 : 4);
      expect(g[1]).toBeCloseTo(dy, Math.abs(dy) > 100 ? 1 : 4);
    }
  });

  it("lists stationary points at its minimum value", () => {
    const g = new Float64Array(2);
    for (const [x, y] of surface.targets) {
      surface.gradient(x, y, g);
      // Himmelblau's irrational minima are given to 6 decimals (Himmelblau 1972): the gradient there is ~1e-4.
      expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-3);
      if (surface.minLoss !== null) expect(surface.loss(x, y)).toBeCloseTo(surface.minLoss, 6);
    }
  });
});

describe("gradient noise", () => {
  it("is a standard normal, the same for every call with the same step and coordinate", () => {
    const draws = Array.from({ length: 20000 }, (_, k) => gaussian(k >> 1, k & 1));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    // 20,000 draws: the mean's standard error is 0.007, the variance's about 0.01.
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(gaussian(123, 1)).toBe(gaussian(123, 1));
    expect(gaussian(123, 0)).not.toBe(gaussian(123, 1));
  });
});

describe("the page's schedules (the library's, as multipliers over the stop-at horizon)", () => {
  it.each(SCHEDULES.map((s) => [s.label, s] as const))("%s stays in (0, 1] over the horizon", (_, choice) => {
    const multiplier = lrMultiplier(choice, 200);
    for (let t = 0; t <= 200; t++) {
      expect(multiplier(t)).toBeGreaterThanOrEqual(0);
      expect(multiplier(t)).toBeLessThanOrEqual(1);
    }
    expect(multiplier(0)).toBeGreaterThanOrEqual(0.04); // one-cycle starts at max / divFactor = 1/25
  });

  it("give the multipliers their labels promise (horizon 200)", () => {
    const at = (id: string, t: number) => lrMultiplier(SCHEDULES.find((s) => s.id === id)!, 200)(t);
    expect(at("constant", 150)).toBe(1);
    expect(at("step", 49)).toBe(1); // ×½ every 200 / 4 = 50 steps
    expect(at("step", 50)).toBe(0.5);
    expect(at("step", 150)).toBe(0.125);
    expect(at("exponential", 100)).toBeCloseTo(0.1, 12); // 0.01^(100/200)
    expect(at("exponential", 200)).toBeCloseTo(0.01, 12);
    expect(at("cosine", 100)).toBeCloseTo(0.5, 12); // ½(1 + cos(π/2))
    expect(at("cosine", 200)).toBeCloseTo(0, 12);
    expect(at("restarts", 50)).toBe(1); // a restart every 50 steps
    expect(at("restarts", 25)).toBeCloseTo(0.5, 12);
    expect(at("warmup", 0)).toBeCloseTo(0.1, 12); // from 0.1 to 1 over 20 steps
    expect(at("warmup", 10)).toBeCloseTo(0.55, 12);
    expect(at("warmup", 20)).toBe(1);
    expect(at("one-cycle", 59)).toBeCloseTo(1, 12); // the peak at 0.3 · 200 − 1 (torch's phase end)
  });

  it("accept any horizon the page allows (down to 1 step)", () => {
    for (const choice of SCHEDULES) for (const horizon of [1, 3, 9, 10, 11, 100001]) expect(() => lrMultiplier(choice, horizon)(0)).not.toThrow();
  });
});

describe("option sliders", () => {
  const ranges = ["lr", "momentum", "beta1", "beta2", "eps", "weightDecay", "alpha", "rho", "etaMinus", "etaPlus"].map((key) => {
    const knob = knobFor(key, 0.5);
    if (knob.kind !== "range") throw new Error(`${key} should have a slider`);
    return [key, knob] as const;
  });

  it.each(ranges)("%s: every position gives a value within the range, and goes back to itself", (_, knob) => {
    for (let position = 0; position <= SLIDER_STEPS; position++) {
      const value = fromSlider(knob, position);
      expect(value).toBeGreaterThanOrEqual(knob.min);
      expect(value).toBeLessThanOrEqual(knob.max);
      expect(Math.abs(toSlider(knob, value) - position)).toBeLessThanOrEqual(1);
    }
  });

  it("keeps β2 below 1 at the top of its slider (0.9999, not rounded to 1)", () => {
    const knob = knobFor("beta2", 0.999);
    if (knob.kind !== "range") throw new Error("beta2 should have a slider");
    expect(fromSlider(knob, SLIDER_STEPS)).toBe(0.9999);
    expect(formatValue(0.9999)).toBe("0.9999");
  });

  it("falls back on the starting value's type for options it does not know", () => {
    expect(knobFor("someFlag", true)).toEqual({ kind: "toggle" });
    expect(knobFor("someMode", "a")).toEqual({ kind: "choice", choices: ["a"] });
    expect(knobFor("someRate", 0.5)).toEqual({ kind: "range", min: 0.005, max: 50, log: true });
    expect(formatValue(0.001)).toBe("1e-3");
  });

  it("gives whole numbers for integer options (L-BFGS's maxIter, historySize)", () => {
    for (const key of ["maxIter", "historySize"]) {
      const knob = knobFor(key, 1);
      if (knob.kind !== "range") throw new Error(`${key} should have a slider`);
      for (let position = 0; position <= SLIDER_STEPS; position += 7) expect(Number.isInteger(fromSlider(knob, position))).toBe(true);
      expect(fromSlider(knob, 0)).toBe(knob.min);
      expect(fromSlider(knob, SLIDER_STEPS)).toBe(knob.max);
    }
  });
});
