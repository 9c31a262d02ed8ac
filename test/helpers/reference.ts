import { describe, it } from "vitest";
import type { Optimizer, Param } from "../../src/index.js";
import { BACKENDS, engineFor, SIZES } from "./backends.js";
import { expectClose } from "./close.js";
import { uniform } from "./random.js";

/** A float64 oracle written from an optimizer's formula, independent of the library. */
export interface Reference {
  /** Every state buffer, by the optimizer's slot name. */
  readonly state: Record<string, Float64Array>;
  /** Step t (1-based): updates p in place from gradient g. */
  step(t: number, p: Float64Array, g: Float64Array): void;
}

export interface ReferenceSuite<O> {
  /** The optimizer under test. */
  name: string;
  create(params: Param[], options: O): Optimizer<any>;
  reference(n: number, options: O): Reference;
  /** Option sets to cover: every option, alone and in the combinations that interact. */
  cases: readonly O[];
  steps?: number;
  rtol?: number;
  atol?: number;
  /** Gradient range (default [-1, 1)); some optimizers need other scales to exercise every branch. */
  gradScale?: number;
}

/**
 * Table-driven check: every case × every size × every backend, `steps` steps (default 10) with
 * seeded gradients, against the float64 reference: parameters and every state buffer. The
 * parameters are split in two tensors so packing and per-parameter state views are exercised.
 */
export function referenceSuite<O>(suite: ReferenceSuite<O>): void {
  const { steps = 10, rtol = 2e-5, atol = 2e-6, gradScale = 1 } = suite;
  describe(`${suite.name} matches its float64 reference`, () => {
    for (const backend of BACKENDS) {
      describe(backend, () => {
        for (const options of suite.cases) {
          it.each(SIZES)(`${JSON.stringify(options)} n=%i`, async (n) => {
            const engine = await engineFor(backend);
            const initial = uniform(n, 7 + n);
            const split = Math.floor(n / 3);
            const params = [engine.param(initial.slice(0, split)), engine.param(initial.slice(split))];
            const optimizer = suite.create(params, options);
            const ref = suite.reference(n, options);
            const p64 = Float64Array.from(initial);
            for (let t = 1; t <= steps; t++) {
              const g = uniform(n, 1000 * t + n, -gradScale, gradScale);
              params[0].setGrad(g.subarray(0, split));
              params[1].setGrad(g.subarray(split));
              optimizer.step();
              ref.step(t, p64, Float64Array.from(g));
            }
            const joined = (pick: (p: Param) => ArrayLike<number>) => {
              const out = new Float64Array(n);
              out.set(pick(params[0]), 0);
              out.set(pick(params[1]), split);
              return out;
            };
            expectClose(joined((p) => p.data), p64, rtol, atol, "params");
            for (const [slot, expected] of Object.entries(ref.state)) {
              const actual = joined((p) => optimizer.getState(p)[slot] as Float32Array);
              expectClose(actual, expected, rtol, atol, slot);
            }
            engine.dispose();
          });
        }
      });
    }
  });
}
