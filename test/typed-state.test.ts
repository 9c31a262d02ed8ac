// getState is typed per family: the buffers a family always keeps are Float32Array (there from the
// constructor, zeros until the first step), the ones that depend on options are optional. The
// assignments below are the type test (npm test type-checks test/); the expectations, the runtime one.
import { describe, expect, it } from "vitest";
import { Adagrad, Adam, createEngine, LBFGS, NAdam, Rprop, SGD } from "../src/index.js";

describe("typed state", () => {
  it("always-kept buffers exist from the constructor, as zeros, and are saved as fresh until a step uses them", async () => {
    const engine = await createEngine();
    const p = engine.param(5);
    const adam = new Adam([p]);
    const m: Float32Array = adam.getState(p).expAvg;
    const v: Float32Array = adam.getState(p).expAvgSq;
    const max: Float32Array | undefined = adam.getState(p).maxExpAvgSq;
    expect([Array.from(m), Array.from(v), max]).toEqual([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], undefined]);
    // Unused buffers are saved with their values and marked fresh, so a reload gives a first step again.
    const header = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(20, 20 + new DataView(bytes.buffer).getUint32(16, true)));
    expect(header(adam.saveState())).toContain('"slots":["expAvg","expAvgSq"],"fresh":["expAvg","expAvgSq"]');
    p.grad.fill(1);
    adam.step();
    expect(adam.getState(p).expAvg[0]).toBeCloseTo(0.1, 7);
    expect(header(adam.saveState())).not.toContain('"fresh"');
  });

  it("values written into fresh buffers survive a save and load, and the next step is still a first step", async () => {
    const engine = await createEngine();
    const [p, q] = [engine.param(2, { name: "w" }), engine.param(2, { name: "w" })];
    const a = new SGD([p], { momentum: 0.9, dampening: 0.5 });
    a.getState(p).momentumBuffer!.set([3, -4]); // a first step replaces the buffer with the gradient anyway
    const b = new SGD([q], { momentum: 0.9, dampening: 0.5 });
    b.loadState(a.saveState());
    expect(Array.from(b.getState(q).momentumBuffer!)).toEqual([3, -4]);
    for (const x of [p, q]) x.grad.set([1, 2]);
    a.step();
    b.step();
    expect(Array.from(b.getState(q).momentumBuffer!)).toEqual(Array.from(a.getState(p).momentumBuffer!));
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    const adagrad = new Adagrad([engine.param(1, { name: "s" })], { initialAccumulatorValue: 1.1 });
    adagrad.paramGroups[0].initialAccumulatorValue = 100; // after the sums were filled
    const reloaded = new Adagrad([engine.param(1, { name: "s" })], { initialAccumulatorValue: 1.1 });
    reloaded.loadState(adagrad.saveState());
    expect(reloaded.getState(reloaded.paramGroups[0].params[0]).sum[0]).toBeCloseTo(1.1, 6);
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
