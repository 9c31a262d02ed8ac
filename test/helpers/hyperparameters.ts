import { describe, expect, it } from "vitest";
import { createEngine, OptimError, type Optimizer, type Param } from "../../src/index.js";

/** One invalid setting: the options, and the message that must name it with its range. */
export type BadOption = readonly [label: string, options: Record<string, unknown>, message: RegExp];

/**
 * For each bad option set: the constructor throws INVALID_HYPERPARAMETER with the message and packs
 * nothing; the same value set on a param group between steps makes `step` throw and change nothing
 * (parameters and every state buffer). `good` lists boundary values that must be accepted.
 */
export function hyperparameterSuite(
  name: string,
  create: (params: Param[], options: Record<string, unknown>) => Optimizer<any>,
  bad: readonly BadOption[],
  good: readonly Record<string, unknown>[],
): void {
  describe(`${name} rejects bad hyperparameters`, () => {
    it.each(bad)("%s", async (_, options, message) => {
      const engine = await createEngine();
      const p = engine.param(new Float32Array([1, -2, 3, -4, 5]));
      p.grad.set([0.5, -0.25, 0.125, 1, -1]);
      let error: unknown;
      try {
        create([p], options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptimError);
      expect((error as OptimError).code).toBe("INVALID_HYPERPARAMETER");
      expect((error as Error).message).toMatch(message);
      expect(p.owner).toBeNull();

      // The same values set between steps: step throws before writing anything.
      const optimizer = create([p], {});
      optimizer.step();
      const before = snapshot(optimizer, p);
      Object.assign(optimizer.paramGroups[0], options);
      expect(() => optimizer.step()).toThrow(message);
      expect(snapshot(optimizer, p)).toEqual(before);
      engine.dispose();
    });

    it.each(good.map((o) => [JSON.stringify(o), o] as const))("accepts %s", async (_, options) => {
      const engine = await createEngine();
      const p = engine.param(new Float32Array([1, -2, 3]));
      p.grad.set([0.5, -0.25, 1]);
      const optimizer = create([p], options);
      optimizer.step();
      optimizer.step();
      for (const v of p.data) expect(Number.isFinite(v)).toBe(true);
      engine.dispose();
    });
  });
}

function snapshot(optimizer: Optimizer<any>, p: Param): Record<string, number[] | number> {
  const out: Record<string, number[] | number> = { data: Array.from(p.data) };
  for (const [key, value] of Object.entries(optimizer.getState(p))) out[key] = typeof value === "number" ? value : Array.from(value!);
  return out;
}
