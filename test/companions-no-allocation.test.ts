// No allocation in steady state for the companions, as test/no-allocation.test.ts for the optimizers:
// after their constructors, 10,000 calls leave the wasm memory size and the heap's live bytes unchanged.
import { describe, expect, it } from "vitest";
import { Adam, EMA, GradientAccumulation, Lookahead, SWA, type Optimizer } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";

const CALLS = 10_000;

const COMPANIONS: { name: string; make(opt: Optimizer<any>): () => void }[] = [
  { name: "EMA", make: (opt) => { const ema = new EMA(opt); return () => { opt.step(); ema.update(); }; } },
  { name: "SWA", make: (opt) => { const swa = new SWA(opt); return () => { opt.step(); swa.update(); }; } },
  { name: "EMA swapIn/swapOut", make: (opt) => { const ema = new EMA(opt); return () => { ema.swapIn(); ema.swapOut(); }; } },
  { name: "GradientAccumulation", make: (opt) => { const acc = new GradientAccumulation(opt, { k: 3 }); return () => void acc.step(); } },
  { name: "Lookahead", make: (opt) => { const la = new Lookahead(opt, { k: 3 }); return () => void la.step(); } },
];

describe("companions allocate nothing in steady state", () => {
  for (const backend of BACKENDS) {
    for (const { name, make } of COMPANIONS) {
      it(`${name} on ${backend}`, async () => {
        const engine = await engineFor(backend);
        const params = [64, 37].map((length, k) => {
          const param = engine.param(length);
          param.data.fill(0.5 + k);
          param.grad.fill(0.25 - k);
          return param;
        });
        const call = make(new Adam(params, { lr: 1e-3 }));
        call();
        const memoryBytes = engine.heap.byteLength, liveBytes = engine.heap.usedBytes;
        for (let i = 0; i < CALLS; i++) call();
        expect(engine.heap.byteLength).toBe(memoryBytes);
        expect(engine.heap.usedBytes).toBe(liveBytes);
        engine.dispose();
      });
    }
  }
});
