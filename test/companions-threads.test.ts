// The companions' kernels split over worker threads (KERNEL_OFFSETS) give the one-thread bits.
import { expect, it } from "vitest";
import { Adam, createEngine, EMA, GradientAccumulation, Lookahead } from "../src/index.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";

async function run(threads: number): Promise<Float32Array[]> {
  const engine = await createEngine({ backend: BACKENDS[0], threads });
  const n = 100_003; // six 16K-float shares and a scalar tail
  const p = engine.param(uniform(n, 1));
  const opt = new Adam([p], { lr: 0.01 });
  const ema = new EMA(opt, { decay: 0.9 });
  const acc = new GradientAccumulation(opt, { k: 2 });
  const la = new Lookahead(opt, { k: 2 });
  for (let t = 1; t <= 6; t++) {
    p.setGrad(uniform(n, 10 + t));
    if (t % 3 === 0) acc.step();
    else la.step();
    ema.update();
  }
  ema.swapIn();
  const out = [p.data.slice(), ema.average(p).slice(), acc.accumulator(p).slice(), la.slow(p).slice()];
  ema.swapOut();
  out.push(p.data.slice());
  engine.dispose();
  return out;
}

it("EMA, swap, GradientAccumulation and Lookahead give the same bits on 2 threads as on 1", async () => {
  const [one, two] = [await run(1), await run(2)];
  expect(two).toHaveLength(one.length);
  one.forEach((x, j) => expectBitEqual(two[j], x, `block ${j}`));
});
