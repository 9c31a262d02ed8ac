// No allocation in steady state: after the first step (which creates the state buffers),
// 10,000 steps of every benchmarked optimizer on every backend leave the wasm memory size and
// the heap's live bytes exactly where they were. The JS heap is reported by `npm run bench`,
// not asserted here: V8's heap moves with unrelated work.
import { describe, expect, it } from "vitest";
import { OPTIMIZERS } from "../bench/optimizers.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";

const STEPS = 10_000;
// Two tensors, lengths chosen so the SIMD body and a scalar tail both run (37 % 4 = 1).
const LENGTHS = [64, 37];

describe("no allocation in steady state", () => {
  for (const backend of BACKENDS) {
    for (const entry of OPTIMIZERS) {
      it(`${entry.label} on ${backend}: ${STEPS} steps leave the memory unchanged`, async () => {
        const engine = await engineFor(backend);
        const params = LENGTHS.map((length, k) => {
          const param = engine.param(length);
          param.data.fill(0.5 + k);
          param.grad.fill(0.25 - k);
          return param;
        });
        const opt = entry.make(params);
        opt.step(entry.closure);
        const memoryBytes = engine.heap.byteLength;
        const liveBytes = engine.heap.usedBytes;
        const before = params.map((p) => p.data.slice());

        for (let i = 0; i < STEPS; i++) opt.step(entry.closure);

        expect(engine.heap.byteLength).toBe(memoryBytes);
        expect(engine.heap.storage.memory?.buffer.byteLength ?? memoryBytes).toBe(memoryBytes);
        expect(engine.heap.usedBytes).toBe(liveBytes);
        // The steps really ran: the parameters moved.
        params.forEach((p, k) => expect(p.data).not.toEqual(before[k]));
      });
    }
  }
});
