// The companions take their options as the optimizers do: an array is not an options object
// (INVALID_ARGUMENT, as the optimizers' constructors answer), not silently taken as "no options".
import { describe, expect, it } from "vitest";
import { AdamW, EMA, GradientAccumulation, Lookahead, SWA, createEngine } from "../../src/index.js";
import { expectOptimError } from "../helpers/errors.js";

describe("companion options", () => {
  it.each([EMA, SWA, GradientAccumulation, Lookahead].map((C) => [C.name, C] as const))("%s refuses an array as options", async (_, Companion) => {
    const engine = await createEngine({ backend: "js" });
    const optimizer = new AdamW([engine.param(new Float32Array(2))]);
    const heapBefore = engine.heap.usedBytes;
    expectOptimError(() => new Companion(optimizer, [] as never), "INVALID_ARGUMENT");
    expect(engine.heap.usedBytes).toBe(heapBefore);
    engine.dispose();
  });
});
