// int8 state on every family that takes it: a step is the family's float32 step from the dequantized
// state, bit for bit, followed by the reference's quantization of the new state (test/reference/int8.ts)
// per 256-number block of the group: parameters, every code and every scale, on every backend, for
// sizes around the SIMD width, the block and the kernels' four-block run, with special values; and
// the same bits on 1, 2 and 3 threads; and loads across storage types (float32 → int8 quantized as
// the reference, int8 → float32 exactly dequantized). The float32 steps themselves are checked
// against float64 references in each family's own tests.
import { describe, expect, it } from "vitest";
import { createEngine, type Optimizer, type Param } from "../src/index.js";
import { FAMILIES, FAMILY_IDS, type FamilyId } from "../src/optim/registry.js";
import { int8ScalesAt } from "../src/backend/js/int8.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { poolOf } from "./helpers/threads.js";
import { uniform } from "./helpers/random.js";
import { refSlot, refStoreBlock } from "./reference/int8.js";

const INT8 = FAMILY_IDS.filter((id) => FAMILIES[id].int8);

/** Per family, option sets that reach every slot and flag of its kernel. */
const OPTIONS: Partial<Record<FamilyId, Record<string, unknown>[]>> = {
  sgd: [{ lr: 0.05, momentum: 0.9 }, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  adam: [{ lr: 0.01 }, { lr: 0.01, amsgrad: true, maximize: true, weightDecay: 0.05 }],
  adamw: [{ lr: 0.01, amsgrad: true }],
  adagrad: [{ lr: 0.05 }, { lr: 0.05, initialAccumulatorValue: 0.1, epsInsideSqrt: true }],
  rmsprop: [{ lr: 0.01 }, { lr: 0.01, momentum: 0.9, centered: true }],
  adadelta: [{ lr: 1 }, { lr: 1, weightDecay: 0.01 }],
  rprop: [{ lr: 0.01 }],
  adamax: [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.01 }],
  nadam: [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true }],
  radam: [{ lr: 0.01 }],
  lion: [{ lr: 0.001, weightDecay: 0.1 }],
};

const SIZES = [1, 5, 255, 256, 257, 1025, 3000];
// RAdam rectifies from step 6 (ρ_t > 5 with β2 = 0.999): seven steps reach both of its forms.
const STEPS = 7;
const SPECIAL = [0, -0, 1e-40, -1e-45, Infinity, -Infinity, NaN, 3.39e38, -3.4e38, 1, -1, 1e-30, 0.5, -3];

type AnyOptimizer = Optimizer<any> & { getStateBits(p: Param): Record<string, unknown> };

function bits(values: ArrayLike<number>): number[] {
  const f = Float32Array.from(values), u = new Uint32Array(f.buffer);
  return Array.from(f, (x, i) => (x !== x ? 0xffffffff : u[i]));
}

/** The float32 slot names of a family's state for this parameter (those getState returns as arrays). */
function slotNames(opt: AnyOptimizer, p: Param): string[] {
  const state = opt.getState(p) as Record<string, unknown>;
  return Object.keys(state).filter((k) => state[k] instanceof Float32Array);
}

it("the table covers every family that takes int8", () => {
  expect(Object.keys(OPTIONS).sort()).toEqual([...INT8].sort());
});

for (const id of INT8) {
  for (const options of OPTIONS[id]!) {
    describe(`${FAMILIES[id].kind} int8 ${JSON.stringify(options)}`, () => {
      for (const backend of BACKENDS) {
        it.each([...SIZES.map((n) => [n, false] as const), [1025, true] as const])(`${backend} n=%i special=%s`, async (n, specials) => {
          const engine = await engineFor(backend);
          const Family = FAMILIES[id].optimizer as unknown as new (params: Param[], options: object) => AnyOptimizer;
          // Two parameters in one group: blocks count from the group's first element and span both.
          const cut = Math.floor(n / 3);
          const initial = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 5) % SPECIAL.length]) : uniform(n, 7 + n);
          const q = [engine.param(initial.slice(0, cut)), engine.param(initial.slice(cut))];
          const f = [engine.param(initial.slice(0, cut)), engine.param(initial.slice(cut))];
          const int8 = new Family(q, { ...options, stateDtype: "int8" });
          const float32 = new Family(f, options);
          // Second-moment-like slots (never negative) use the unsigned codes.
          const signed = (name: string) => !((int8 as any).spec.nonNegativeSlots ?? []).includes(name);
          for (let t = 1; t <= STEPS; t++) {
            // The float32 optimizer starts each step from the int8 state's values.
            for (let k = 0; k < 2; k++) {
              const from = int8.getState(q[k]) as Record<string, Float32Array>, to = float32.getState(f[k]) as Record<string, Float32Array>;
              for (const name of slotNames(int8, q[k])) to[name]?.set(from[name]);
            }
            const g = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 3 + t) % SPECIAL.length]) : uniform(n, 100 * t + n, -1, 1);
            for (const [params] of [[q], [f]]) {
              params[0].setGrad(g.subarray(0, cut));
              params[1].setGrad(g.subarray(cut));
            }
            int8.step();
            float32.step();
            expect(bits([...q[0].data, ...q[1].data]), `p after step ${t}`).toEqual(bits([...f[0].data, ...f[1].data]));
            const layout = (int8 as any).layouts[0];
            const heap: Float32Array = (engine as any).heap.f32;
            for (const name of slotNames(float32, f[cut === 0 ? 1 : 0])) {
              const k = FAMILIES[id].slots.findIndex((s) => s.name === name);
              const values = [...(cut > 0 ? (float32.getState(f[0]) as any)[name] : []), ...(float32.getState(f[1]) as any)[name]];
              const ref = refSlot(n, signed(name));
              for (let b = 0; 256 * b < n; b++) refStoreBlock(ref, b, values.slice(256 * b, 256 * b + 256));
              const at = layout.slots[k];
              expect(Array.from(new Uint8Array(heap.buffer, at, n)), `codes of ${name}, step ${t}`).toEqual(Array.from(ref.codes));
              expect(bits(new Float32Array(heap.buffer, at + int8ScalesAt(n), Math.ceil(n / 256))), `scales of ${name}, step ${t}`).toEqual(bits(ref.scales));
            }
          }
          engine.dispose();
        });
      }
    });
  }
}

describe("threads", () => {
  // 103,339 numbers in three tensors: three threads all get a share, cut at 256-number blocks.
  const LENGTHS = [70001, 33333, 5];
  for (const id of INT8) {
    it(`${FAMILIES[id].kind}: the same bits (parameters, saved state) on 1, 2 and 3 threads`, async () => {
      const results: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const engine = await createEngine({ backend: BACKENDS[0], threads });
        if (threads > 1) poolOf(engine)!.sharesForTest = "workers";
        const params = LENGTHS.map((n, k) => engine.param(uniform(n, 10 + k)));
        const Family = FAMILIES[id].optimizer as unknown as new (params: Param[], options: object) => AnyOptimizer;
        const opt = new Family(params, { ...OPTIONS[id]!.at(-1), stateDtype: "int8" });
        for (let t = 1; t <= 3; t++) {
          params.forEach((p, k) => p.setGrad(uniform(p.length, 100 * t + k, -1, 1)));
          opt.step();
        }
        results.push([...params.flatMap((p) => bits(p.data)), ...opt.saveState()]);
        engine.dispose();
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });
  }
});

describe("save and load across storage types, every int8 family", () => {
  for (const id of INT8) {
    it(`${FAMILIES[id].kind}: float32 → int8 quantizes as the reference, int8 → float32 gives the dequantized values`, async () => {
      const engine = await engineFor("js");
      const Family = FAMILIES[id].optimizer as unknown as new (params: Param[], options: object) => AnyOptimizer;
      const options = OPTIONS[id]!.at(-1)!;
      const make = (dtype: "float32" | "int8") => {
        const params = [engine.param(uniform(300, 1), { name: "a" }), engine.param(uniform(500, 2), { name: "b" })];
        return { params, opt: new Family(params, { ...options, stateDtype: dtype }) };
      };
      const f = make("float32");
      for (let t = 1; t <= 3; t++) {
        f.params.forEach((p, k) => p.setGrad(uniform(p.length, 10 * t + k)));
        f.opt.step();
      }
      const q = make("int8");
      q.opt.loadState(f.opt.saveState());
      const signed = (name: string) => !((q.opt as any).spec.nonNegativeSlots ?? []).includes(name);
      const heap: Float32Array = (engine as any).heap.f32;
      for (const name of slotNames(f.opt, f.params[0])) {
        const k = FAMILIES[id].slots.findIndex((s) => s.name === name);
        const values = [...(f.opt.getState(f.params[0]) as any)[name], ...(f.opt.getState(f.params[1]) as any)[name]];
        const ref = refSlot(800, signed(name));
        for (let b = 0; 256 * b < 800; b++) refStoreBlock(ref, b, values.slice(256 * b, 256 * b + 256));
        const at = (q.opt as any).layouts[0].slots[k];
        expect(Array.from(new Uint8Array(heap.buffer, at, 800)), `${name} codes`).toEqual(Array.from(ref.codes));
        expect(bits(new Float32Array(heap.buffer, at + int8ScalesAt(800), 4)), `${name} scales`).toEqual(bits(ref.scales));
      }
      // And back: a float32 optimizer loading the int8 state holds exactly its dequantized values.
      const back = make("float32");
      back.opt.loadState(q.opt.saveState());
      for (const name of slotNames(q.opt, q.params[0])) {
        for (let k = 0; k < 2; k++) {
          expect(bits((back.opt.getState(back.params[k]) as any)[name]), `${name} of param ${k}`).toEqual(bits((q.opt.getState(q.params[k]) as any)[name]));
        }
      }
      engine.dispose();
    });
  }
});
