// While averaged weights are swapped in, nothing may strand or misplace the training weights: a param
// group added to the optimizer must not make swapOut (and so dispose) impossible, and a schedule-free
// optimizer's eval()/train() must not move the averaged weights as if they were its own, and the
// optimizer's dispose (which gives each parameter its own memory) must take the training weights along.
import { describe, expect, it } from "vitest";
import { AdamW, EMA, SWA, ScheduleFreeAdamW, createEngine } from "../../src/index.js";
import { BACKENDS } from "../helpers/backends.js";
import { expectOptimError } from "../helpers/errors.js";

/** AdamW over one parameter, two steps with the average updated after the first (so the two differ), swapped in. */
async function swappedIn(Average: typeof EMA | typeof SWA) {
  const engine = await createEngine({ backend: "js" });
  const p = engine.param(new Float32Array([1, 2, 3]));
  const optimizer = new AdamW([p]);
  const average = new Average(optimizer);
  for (let t = 0; t < 2; t++) {
    p.setGrad(new Float32Array([1, -1, 1]));
    optimizer.step();
    if (t === 0) average.update();
  }
  const training = p.data.slice();
  average.swapIn();
  expect(p.data).not.toEqual(training);
  return { engine, p, optimizer, average, training };
}

describe("swapIn guards", () => {
  it("swapOut after addParamGroup puts the training weights back", async () => {
    const { engine, p, optimizer, average, training } = await swappedIn(SWA);
    optimizer.addParamGroup({ params: [engine.param(new Float32Array([5]))] });
    average.swapOut();
    expect(p.data).toEqual(training);
    // The companion no longer fits its optimizer: everything else is refused.
    expectOptimError(() => average.update(), "INVALID_ARGUMENT");
    average.dispose();
    engine.dispose();
  });

  it("dispose after addParamGroup while swapped in restores the training weights", async () => {
    const { engine, p, optimizer, average, training } = await swappedIn(EMA);
    optimizer.addParamGroup({ params: [engine.param(new Float32Array([5]))] });
    average.dispose();
    expect(p.data).toEqual(training);
    engine.dispose();
  });

  it("schedule-free eval() and train() are refused while swapped in, changing nothing", async () => {
    const engine = await createEngine({ backend: "js" });
    const p = engine.param(new Float32Array([1, 2, 3]));
    const optimizer = new ScheduleFreeAdamW([p], { lr: 0.1 });
    const ema = new EMA(optimizer, { decay: 0.5 });
    for (let t = 0; t < 3; t++) {
      p.setGrad(new Float32Array([1, -1, 2]));
      optimizer.step();
      ema.update();
    }
    const y = p.data.slice();
    ema.swapIn();
    const averaged = p.data.slice();
    expectOptimError(() => optimizer.eval(), "INVALID_ARGUMENT");
    expectOptimError(() => optimizer.train(), "INVALID_ARGUMENT");
    expect(p.data).toEqual(averaged);
    ema.swapOut();
    expect(optimizer.training).toBe(true);
    expect(p.data).toEqual(y);
    // The guards are gone after swapOut.
    optimizer.eval();
    optimizer.train();
    engine.dispose();
  });
});

describe("optimizer dispose while swapped in", () => {
  it("puts the training weights back before the parameters leave the optimizer", async () => {
    const { engine, p, optimizer, average, training } = await swappedIn(EMA);
    optimizer.dispose();
    expect(optimizer.disposed).toBe(true);
    expect(average.isSwappedIn).toBe(false);
    expect(p.data).toEqual(training);
    // The parameter is free for another optimizer, and the average is refused as its optimizer is gone.
    new AdamW([p]).step();
    expectOptimError(() => average.swapIn(), "DISPOSED");
    average.dispose();
    engine.dispose();
  });
});

describe("a parameter disposed while swapped in", () => {
  it.each(["optimizer", "average"] as const)("disposing the %s gives the other parameters their training weights back", async (which) => {
    for (const backend of BACKENDS) {
      const engine = await createEngine({ backend });
      // Lengths that put q's part of the group off a 16-byte boundary.
      const p = engine.param(new Float32Array([1, 2, 3]));
      const q = engine.param(new Float32Array([4, 5, 6, 7, 8]));
      const optimizer = new AdamW([p, q]);
      const ema = new EMA(optimizer, { decay: 0.5 });
      for (let t = 0; t < 2; t++) {
        p.setGrad(new Float32Array([1, 1, 1]));
        q.setGrad(new Float32Array([1, -1, 1, -1, 1]));
        optimizer.step();
        if (t === 0) ema.update();
      }
      const training = q.data.slice();
      ema.swapIn();
      p.dispose();
      expectOptimError(() => ema.swapOut(), "DISPOSED");
      if (which === "optimizer") optimizer.dispose();
      else ema.dispose();
      expect(q.data, backend).toEqual(training);
      engine.dispose();
    }
  });
});
