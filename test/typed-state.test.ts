// getState is typed per family: the buffers a family always keeps are Float32Array (there from the
// constructor, zeros until the first step), the ones that depend on options are optional. The
// assignments below are the type test (npm test type-checks test/); the expectations, the runtime one.
import { describe, expect, it } from "vitest";
import { Adagrad, Adam, createEngine, LBFGS, NAdam, Rprop, SGD } from "../src/index.js";

describe("typed state", () => {
  it("always-kept buffers exist from the constructor, as zeros, and are saved only once a step used them", async () => {
    const engine = await createEngine();
    const p = engine.param(5);
    const adam = new Adam([p]);
    const m: Float32Array = adam.getState(p).expAvg;
    const v: Float32Array = adam.getState(p).expAvgSq;
    const max: Float32Array | undefined = adam.getState(p).maxExpAvgSq;
    expect([Array.from(m), Array.from(v), max]).toEqual([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], undefined]);
    // Unused buffers are saved as absent, so a reload gives a first step again.
    expect(new TextDecoder().decode(adam.saveState())).toContain('"slots":[]');
    p.grad.fill(1);
    adam.step();
    expect(adam.getState(p).expAvg[0]).toBeCloseTo(0.1, 7);
    expect(new TextDecoder().decode(adam.saveState())).toContain('"slots":["expAvg","expAvgSq"]');
  });

  it("per-family shapes: Adagrad fills its sums in the constructor, Rprop waits for its first lr, NAdam carries μ", async () => {
    const engine = await createEngine();
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => engine.param(n));
    const sum: Float32Array = new Adagrad([a], { initialAccumulatorValue: 0.5 }).getState(a).sum;
    expect(Array.from(sum)).toEqual([0.5]);
    const rprop = new Rprop([b]);
    const stepSize: Float32Array | undefined = rprop.getState(b).stepSize;
    expect(stepSize).toBeUndefined();
    const mu: number = new NAdam([c]).getState(c).muProduct;
    expect(mu).toBe(1);
    // @ts-expect-error momentumBuffer exists only while momentum ≠ 0
    const buffer: Float32Array = new SGD([d], { momentum: 0.9 }).getState(d).momentumBuffer;
    expect(buffer).toBeInstanceOf(Float32Array);
    expect(Object.keys(new LBFGS([e]).getState(e))).toEqual(["step"]);
  });
});
