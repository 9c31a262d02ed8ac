import { describe, expect, it } from "vitest";
import { Adam, AdamW, createEngine, type AdamOptions } from "../src/index.js";
import { referenceSuite } from "./helpers/reference.js";
import { adamReference } from "./reference/adam.js";
import { kerasAdamReference } from "./reference/keras-adam.js";

// Adam's epsHat option: Keras's placement of ε (added to √v before the bias correction).
const cases: Partial<AdamOptions>[] = [
  { epsHat: true },
  { epsHat: true, lr: 0.01, eps: 1e-3 },
  { epsHat: true, lr: 0.01, eps: 1e-2, beta1: 0.5, beta2: 0.9, amsgrad: true },
  { epsHat: true, lr: 0.02, eps: 1e-3, weightDecay: 0.05, maximize: true },
];

referenceSuite({
  name: "Adam (epsHat, Keras)",
  create: (params, options) => new Adam(params, options),
  reference: (n, options) => kerasAdamReference(n, options, false),
  cases,
});

referenceSuite({
  name: "AdamW (epsHat, Keras)",
  create: (params, options) => new AdamW(params, options),
  reference: (n, options) => kerasAdamReference(n, options, true),
  cases,
});

describe("epsHat changes Adam only through ε", () => {
  it("differs from PyTorch's placement while β2ᵗ is far from 0, with a large ε", async () => {
    // With ε = 0.1 and β2 = 0.999, after one step PyTorch divides by √v̂ + 0.1 and Keras by
    // √v̂ + 0.1/√(1 − 0.999): the PyTorch oracle must miss Keras's numbers, or this option does nothing.
    const options = { lr: 0.1, eps: 0.1 };
    const keras = kerasAdamReference(1, options, false);
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
