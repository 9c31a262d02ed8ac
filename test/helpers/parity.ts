import { describe, expect, it } from "vitest";
import type { Optimizer, Param } from "../../src/index.js";
import { BACKENDS, engineFor } from "./backends.js";
import { expectBitEqual } from "./close.js";
import { uniform } from "./random.js";

const LENGTHS = [0, 1, 3, 4, 5, 17, 1025];
const STEPS = 10;

/** Everything a run leaves: the parameters' values, then each state entry (buffers copied, numbers as they are). */
function snapshot(optimizer: Optimizer<any>, params: readonly Param[]): (Float32Array | number)[] {
  return params.flatMap((p) => {
    const state = optimizer.getState(p);
    const entries = Object.keys(state).sort().map((k) => state[k]!);
    return [p.data.slice(), ...entries.map((value) => (value instanceof Float32Array ? value.slice() : value))];
  });
}

/**
 * Every option set × every length (SIMD body and each tail length): STEPS steps with seeded
 * gradients on each backend, then `after` (e.g. a mode switch); parameters, every state buffer and
 * every per-group number must be identical bit for bit on every backend.
 */
export function bitParitySuite<O>(name: string, create: (params: Param[], options: O) => Optimizer<any>, cases: readonly O[], after?: (optimizer: Optimizer<any>) => void): void {
  describe(`${name}: the backends agree bit for bit`, () => {
    for (const options of cases) {
      it.each(LENGTHS)(`${JSON.stringify(options)} n=%i`, async (n) => {
        const results = await Promise.all(
          BACKENDS.map(async (backend) => {
            const engine = await engineFor(backend);
            const split = Math.floor(n / 3);
            const initial = uniform(n, 3 + n);
            const params = [engine.param(initial.slice(0, split)), engine.param(initial.slice(split))];
            const optimizer = create(params, options);
            for (let t = 1; t <= STEPS; t++) {
              const g = uniform(n, 500 * t + n, -2, 2);
              params[0].setGrad(g.subarray(0, split));
              params[1].setGrad(g.subarray(split));
              optimizer.step();
            }
            after?.(optimizer);
            const result = snapshot(optimizer, params);
            engine.dispose();
            return result;
          }),
        );
        const [first, ...others] = results;
        for (const other of others) {
          other.forEach((value, i) => {
            if (value instanceof Float32Array) expectBitEqual(value, first[i] as Float32Array, `entry ${i}`);
            else expect(Object.is(value, first[i]), `entry ${i}`).toBe(true);
          });
        }
      });
    }
  });
}
