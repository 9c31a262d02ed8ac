import { describe, expect, it } from "vitest";
import { Adam, AdamW, createEngine, type AdamOptions } from "../src/index.js";
import { referenceSuite } from "./helpers/reference.js";
import { adamReference } from "./reference/adam.js";

const cases: Partial<AdamOptions>[] = [
  {},
  { lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, amsgrad: true },
  { lr: 0.01, maximize: true },
  { lr: 0.02, beta1: 0, beta2: 0.99, amsgrad: true, weightDecay: 0.05, maximize: true },
  // Keras's ε̂; a large ε so that its placement shows.
  { lr: 0.01, eps: 1e-3, epsHat: true },
  { lr: 0.01, eps: 1e-2, beta1: 0.5, beta2: 0.9, epsHat: true, amsgrad: true, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "Adam",
  create: (params, options) => new Adam(params, options),
  reference: (n, options) => adamReference(n, options, false),
  cases,
});

referenceSuite({
  name: "AdamW",
  create: (params, options) => new AdamW(params, options),
  reference: (n, options) => adamReference(n, options, true),
  cases: [...cases, { lr: 0.01, weightDecay: 0 }, { lr: 0.05, weightDecay: 0.5, amsgrad: true }],
});

describe("epsHat", () => {
  it("moves Adam to Keras's numbers, which PyTorch's placement of ε misses", async () => {
    // With ε = 0.1 and β2 = 0.999, after one step PyTorch divides by √v̂ + 0.1 and Keras by
    // √v̂ + 0.1/√(1 − 0.999): the two oracles must disagree, or the option would do nothing.
    const options = { lr: 0.1, eps: 0.1 };
    const keras = adamReference(1, { ...options, epsHat: true }, false);
    const torch = adamReference(1, options, false);
    const pk = Float64Array.of(1), pt = Float64Array.of(1), g = Float64Array.of(0.5);
    keras.step(1, pk, g);
    torch.step(1, pt, g);
    expect(Math.abs(pk[0] - pt[0])).toBeGreaterThan(1e-3);

    const engine = await createEngine();
    const x = engine.param(Float32Array.of(1));
    const adam = new Adam([x], { ...options, epsHat: true });
    x.setGrad(Float32Array.of(0.5));
    adam.step();
    expect(x.data[0]).toBeCloseTo(pk[0], 6);
    engine.dispose();
  });
});
