// bfloat16 state, every element-wise family, every backend, bit for bit against a reference of the
// quantized algorithm: each step dequantizes the stored state exactly, updates in float32 as the
// float32 optimizer does (a twin with stateDtype "float32" is handed the dequantized state before
// each step: its arithmetic is the float32 path, itself checked against float64 oracles in each
// family's test), then rounds every slot as test/reference/bf16.ts says (float64, from the
// definition), to nearest even or stochastically with the specified random bits.
import { describe, expect, it } from "vitest";
import type { Optimizer, Param } from "../src/index.js";
import { FAMILIES, FAMILY_IDS, type FamilyId } from "../src/optim/registry.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";
import { bf16Value, randomBits, roundToBf16 } from "./reference/bf16.js";

type Elementwise = Optimizer<any> & { getStateBits(p: Param): Record<string, Float32Array | Uint16Array> };

const SIZES = [0, 1, 3, 4, 5, 17, 1025];
// ±0, denormals, ±∞, NaN, values past the largest bfloat16, ordinary ones: the "special" runs' inputs.
const SPECIAL = [0, -0, 1e-40, -1e-45, Infinity, -Infinity, NaN, 3.39e38, -3.4e38, 1, -1, 1e-30, 0.5, -3];
const special = (n: number, shift: number) => Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 5 + shift) % SPECIAL.length]);
const RUNS = [...SIZES.map((n) => [n, false] as const), [17, true] as const, [1025, true] as const];
const STEPS = 4;
const SEED = 12345;

// Options that give each family per-element state and run each of its kernel's flag paths. Rprop's
// lr is a bfloat16 (2⁻⁷): its step sizes start from it at the first step, when the twin has no slot to be handed yet.
const CASES: Partial<Record<FamilyId, Record<string, unknown>[]>> = {
  sgd: [{ momentum: 0.9, lr: 0.05 }, { momentum: 0.9, nesterov: true, weightDecay: 0.01 }, { momentum: 0.8, momentumForm: "ema", dampening: 0 }],
  adam: [{ lr: 0.01 }, { lr: 0.01, amsgrad: true, weightDecay: 0.05, maximize: true }],
  adamw: [{ lr: 0.01 }, { lr: 0.01, amsgrad: true }],
  adagrad: [{}, { initialAccumulatorValue: 0.1, lrDecay: 0.01 }],
  rmsprop: [{}, { momentum: 0.9, centered: true }],
  adadelta: [{}, { lr: 0.5, weightDecay: 0.01 }],
  rprop: [{ lr: 2 ** -7 }],
  adamax: [{}],
  nadam: [{}, { weightDecay: 0.01 }],
  radam: [{ lr: 0.01 }],
  lion: [{ lr: 0.001, weightDecay: 0.1 }],
};

// The families with bfloat16 kernels (a family without them refuses bfloat16: bf16-state.test.ts).
const ELEMENTWISE = FAMILY_IDS.filter((id) => FAMILIES[id].bfloat16);

it("every family of the registry with bfloat16 kernels has cases here", () => {
  expect(ELEMENTWISE.filter((id) => CASES[id] === undefined)).toEqual([]);
  expect(Object.keys(CASES).every((id) => FAMILIES[id as FamilyId].bfloat16)).toBe(true);
});


/** Three tensors in two groups ([a, b], [c]): element indices restart in each group, and the stochastic key carries the group. */
function split(n: number): [number, number][] {
  const a = Math.floor(n / 3), b = Math.floor((2 * n) / 3);
  return [[0, a], [a, b], [b, n]];
}

for (const id of ELEMENTWISE) {
  const family = FAMILIES[id];
  const slotNames = family.slots.map((s) => s.name);
  describe(`${family.kind} with bfloat16 state matches the quantized reference`, () => {
    for (const backend of BACKENDS) {
      for (const options of CASES[id] ?? []) {
        for (const stochasticRounding of [false, true]) {
          it.each(RUNS)(`${backend} ${JSON.stringify(options)} stochastic=${stochasticRounding} n=%i special=%s`, async (n, specials) => {
            const engine = await engineFor(backend);
            const initial = specials ? special(n, 0) : uniform(n, 11 + n);
            const make = () => split(n).map(([from, to]) => engine.param(initial.slice(from, to)));
            const params = make(), twins = make();
            const groups = (ps: Param[]) => [{ params: [ps[0], ps[1]] }, { params: [ps[2]] }];
            const opt = new family.optimizer(groups(params) as never, { ...options, stateDtype: "bfloat16", stochasticRounding, roundingSeed: SEED }) as Elementwise;
            const twin = new family.optimizer(groups(twins) as never, options) as Elementwise;
            const groupOf = [0, 0, 1], firstIndexOf = (k: number) => (k === 1 ? params[0].length : 0);
            for (let t = 1; t <= STEPS; t++) {
              const g = specials ? special(n, t) : uniform(n, 1000 * t + n);
              split(n).forEach(([from, to], k) => {
                params[k].setGrad(g.subarray(from, to));
                twins[k].setGrad(g.subarray(from, to));
                const stored = opt.getStateBits(params[k]), handed = twin.getStateBits(twins[k]);
                for (const [name, bits] of Object.entries(stored)) {
                  const view = handed[name] as Float32Array | undefined;
                  if (view) bits.forEach((b, i) => (view[i] = bf16Value(b)));
                }
              });
              opt.step();
              twin.step();
              params.forEach((p, k) => {
                expectBitEqual(p.data, twins[k].data, `step ${t}: values of tensor ${k}`);
                const stored = opt.getStateBits(p), exact = twin.getStateBits(twins[k]);
                expect(Object.keys(stored)).toEqual(Object.keys(exact));
                for (const [name, bits] of Object.entries(stored)) {
                  const slot = slotNames.indexOf(name);
                  const expected = Uint16Array.from(exact[name] as Float32Array, (x, i) =>
                    roundToBf16(x, stochasticRounding ? randomBits(SEED, groupOf[k], t, slot, firstIndexOf(k) + i) : undefined),
                  );
                  expect(bits instanceof Uint16Array, name).toBe(true);
                  if (!sameBits(bits as Uint16Array, expected)) expect(Array.from(bits), `step ${t}: ${name} of tensor ${k}`).toEqual(Array.from(expected));
                }
              });
            }
            engine.dispose();
          });
        }
      }
    }
  });
}

function sameBits(a: Uint16Array, b: Uint16Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

