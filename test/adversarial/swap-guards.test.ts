// While averaged weights are swapped in, nothing may strand or misplace the training weights: a param
// group added to the optimizer must not make swapOut (and so dispose) impossible, and a schedule-free
// optimizer's eval()/train() must not move the averaged weights as if they were its own.
import { describe, expect, it } from "vitest";
import { AdamW, EMA, SWA, ScheduleFreeAdamW, createEngine } from "../../src/index.js";
import { expectOptimError } from "../helpers/errors.js";

describe("swapIn guards", () => {
  it("swapOut after addParamGroup puts the training weights back", async () => {
    const engine = await createEngine({ backend: "js" });
    const p = engine.param(new Float32Array([1, 2, 3]));
    const optimizer = new AdamW([p]);
    const swa = new SWA(optimizer);
    p.setGrad(new Float32Array([1, 1, 1]));
    optimizer.step();
    swa.update();
    p.setGrad(new Float32Array([1, 1, 1]));
    optimizer.step();
    const training = p.data.slice();
    swa.swapIn();
    optimizer.addParamGroup({ params: [engine.param(new Float32Array([5]))] });
    swa.swapOut();
    expect(p.data).toEqual(training);
    // The companion no longer fits its optimizer: everything else is refused.
    expectOptimError(() => swa.update(), "INVALID_ARGUMENT");
    swa.dispose();
    engine.dispose();
  });

  it("dispose after addParamGroup while swapped in restores the training weights", async () => {
    const engine = await createEngine({ backend: "js" });
    const p = engine.param(new Float32Array([1, 2, 3]));
    const optimizer = new AdamW([p]);
    const ema = new EMA(optimizer);
    p.setGrad(new Float32Array([1, -1, 1]));
    optimizer.step();
    const training = p.data.slice();
    ema.swapIn();
    optimizer.addParamGroup({ params: [engine.param(new Float32Array([5]))] });
    ema.dispose();
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
