// int8 state, property-based: for random families and options, random parameters, gradients and
// special values (±0, denormals, ±∞, NaN payloads, the largest floats) and random sizes, every backend
// stores the same bits: parameters, every code and every scale, after every step.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEngine, type BackendName, type Optimizer, type Param } from "../src/index.js";
import { FAMILIES, FAMILY_IDS } from "../src/optim/registry.js";
import { BACKENDS } from "./helpers/backends.js";

const INT8 = FAMILY_IDS.filter((id) => FAMILIES[id].int8);

/** Ordinary float32 values, most of them: a block with a NaN or ±∞ is all NaN, so those stay rare. */
const ordinary = fc.oneof(
  { weight: 8, arbitrary: fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-45, -1e-45, 1.1754942e-38, 1e-30, -1e-30) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7f7fffff }).map((bits) => new Float32Array(new Uint32Array([bits]).buffer)[0]) },
);
/** The special values, by bit pattern too: injected at a few places. */
const special = fc.oneof(
  fc.constantFrom(3.4028235e38, -3.4028235e38, Infinity, -Infinity, NaN),
  fc.integer({ min: 0x7f800001, max: 0xffffffff }).map((bits) => new Float32Array(new Uint32Array([bits]).buffer)[0]),
);

/** n values: ordinary ones, with up to two specials at random places. */
function floats(n: number): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.array(ordinary, { minLength: n, maxLength: n }), fc.array(fc.tuple(fc.nat(n - 1), special), { maxLength: 2 }))
    .map(([values, injected]) => {
      for (const [at, value] of injected) values[at] = value;
      return values;
    });
}

const options = fc.record({
  lr: fc.constantFrom(1e-3, 0.01, 0.5),
  weightDecay: fc.constantFrom(0, 0.01),
  maximize: fc.boolean(),
  maxGradNorm: fc.constantFrom(undefined, 1),
});

interface Case {
  id: (typeof INT8)[number];
  options: { lr: number; weightDecay: number; maximize: boolean; maxGradNorm?: number };
  lengths: number[];
  values: number[];
  grads: number[][];
}

const cases: fc.Arbitrary<Case> = fc
  .record({
    id: fc.constantFrom(...INT8),
    options,
    lengths: fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 3 }),
    steps: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ id, options, lengths, steps }) => {
    const total = lengths.reduce((a, b) => a + b);
    return fc.record({
      id: fc.constant(id),
      options: fc.constant(options),
      lengths: fc.constant(lengths),
      values: floats(total),
      grads: fc.array(floats(total), { minLength: steps, maxLength: steps }),
    });
  });

type AnyOptimizer = Optimizer<any> & { getStateBits(p: Param): Record<string, ArrayBufferView> };

async function run(backend: BackendName, c: Case): Promise<number[]> {
  const engine = await createEngine({ backend });
  let at = 0;
  const params = c.lengths.map((n) => {
    const p = engine.param(Float32Array.from(c.values.slice(at, at + n)));
    at += n;
    return p;
  });
  const Family = FAMILIES[c.id].optimizer as unknown as new (params: Param[], options: object) => AnyOptimizer;
  const { maxGradNorm, ...rest } = c.options;
  // The options this family has (Rprop has no weight decay), and the step option.
  const own = Object.fromEntries(Object.entries(rest).filter(([key]) => key in FAMILIES[c.id].defaults));
  const opt = new Family(params, { ...own, ...(maxGradNorm === undefined ? {} : { maxGradNorm }), stateDtype: "int8" });
  const out: number[] = [];
  for (const g of c.grads) {
    let k = 0;
    for (const p of params) {
      p.setGrad(Float32Array.from(g.slice(k, k + p.length)));
      k += p.length;
    }
    opt.step();
    for (const p of params) out.push(...new Uint32Array(p.data.slice().buffer));
    // The group's raw int8 slots: codes and scales, bit for bit.
    out.push(...(opt as any).saveState());
  }
  engine.dispose();
  return out;
}

describe("int8 state, random inputs", () => {
  it("every backend stores the same bits (parameters, codes, scales) for any values, gradients and options", async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const [first, ...others] = await Promise.all(BACKENDS.map((backend) => run(backend, c)));
        for (const other of others) expect(other).toEqual(first);
      }),
      { numRuns: 150, seed: 20261130 },
    );
  });
});
