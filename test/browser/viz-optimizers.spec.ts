// The visualizer's table is typed by the registry (a family without an entry does not compile);
// this checks that each entry's options reach the optimizer and that every family is offered.
import { describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { OPTIMIZERS } from "../../viz/optimizers.js";
import { optimizerClasses } from "./scenario.js";

describe("the visualizer's optimizer table", () => {
  it("has an entry for every family of the registry, built with its options", async () => {
    const engine = await lib.createEngine({ backend: "js" });
    const offered = OPTIMIZERS.map((entry) => {
      const param = engine.param(entry.shape ?? [2]);
      const optimizer = entry.make([param], { ...entry.options });
      // The entry's options reached the optimizer: each is its param group's value.
      for (const [key, value] of Object.entries(entry.options)) expect((optimizer.paramGroups[0] as Record<string, unknown>)[key], `${entry.label} ${key}`).toBe(value);
      optimizer.dispose();
      param.dispose();
      return optimizer.constructor;
    });
    for (const [name, Class] of optimizerClasses(lib)) expect(offered, `${name} has no entry in viz/optimizers.ts`).toContain(Class);
    engine.dispose();
  });
});
