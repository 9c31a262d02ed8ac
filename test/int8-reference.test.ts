// int8 state (block-wise 8-bit floats), Adam, AdamW and SGD with momentum, every backend, bit for bit against
// test/reference/int8.ts: parameters, every code and every block scale, after several steps, for
// sizes around the SIMD width and the 256-number block, and for blocks holding ±0, denormals, ±∞, NaN.
import { describe, expect, it } from "vitest";
import { Adam, AdamW, SGD, type Param } from "../src/index.js";
import { int8ScalesAt } from "../src/backend/js/int8.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { uniform } from "./helpers/random.js";
import { codeValue, refAdamStep, refSgdStep, refSlot, referenceCode, type RefAdam, type RefSgd, type RefSlot } from "./reference/int8.js";
import { encode, SIGNED_VALUES, UNSIGNED_VALUES } from "../src/backend/js/int8.js";

const SIZES = [0, 1, 3, 4, 5, 17, 255, 256, 257, 1025, 5000];
const STEPS = 3;
const SPECIAL = [0, -0, 1e-40, -1e-45, Infinity, -Infinity, NaN, 3.39e38, -3.4e38, 1, -1, 1e-30, 0.5, -3];
const CASES: (Partial<RefAdam> & { family: "Adam" | "AdamW" })[] = [
  { family: "Adam", lr: 0.01 },
  { family: "Adam", lr: 0.01, amsgrad: true, weightDecay: 0.05, maximize: true },
  { family: "AdamW", lr: 0.01 },
  { family: "AdamW", lr: 0.01, amsgrad: true },
];

/** Float32 bits, every NaN as the kernels' one (0xFFFFFFFF). */
function bits(values: Float32Array): number[] {
  const u = new Uint32Array(Float32Array.from(values).buffer);
  return Array.from(values, (x, i) => (x !== x ? 0xffffffff : u[i]));
}

describe("the codes", () => {
  it("stand for 8-bit floats: signed 2^(e−15)·(1 + m/8) with a sign bit, unsigned 2^(e−31)·(1 + m/8), code 0 for 0", () => {
    for (let c = 0; c < 256; c++) {
      expect(SIGNED_VALUES[c], `signed ${c}`).toBe(codeValue(c, true));
      expect(UNSIGNED_VALUES[c], `unsigned ${c}`).toBe(codeValue(c, false));
    }
    // The absmax itself (y = 1) and the smallest magnitudes, from the definition.
    expect([SIGNED_VALUES[120], UNSIGNED_VALUES[248], SIGNED_VALUES[1], UNSIGNED_VALUES[1]]).toEqual([1, 1, 2 ** -15 * 1.125, 2 ** -31 * 1.125]);
    expect(Object.is(SIGNED_VALUES[128], -0)).toBe(true);
  });

  it("every normalized float32 gets the reference's code: nearest, ties to even, signed flushes below the smallest code, unsigned never rounds a positive to 0", () => {
    const ys: number[] = [0, -0, 1, -1, Math.fround(1 + 2 ** -23), 2 ** -15, 2 ** -15 * 1.0625, 2 ** -15 * 1.0625 * (1 + 2 ** -20), 2 ** -31, 2 ** -40, 1e-45, -1e-45, 2 ** -126];
    // Each code's value and the midpoints to its neighbours (exact ties), and a float32 either side.
    for (let c = 1; c < 256; c++) {
      for (const v of [codeValue(c, false), (codeValue(c, false) + codeValue(c - 1, false)) / 2]) ys.push(v, -v);
    }
    let seed = 7;
    for (let i = 0; i < 20000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      ys.push((seed / 2 ** 32) * 2 - 1, ((seed % 1000) / 1000) * 2 ** -(seed % 40));
    }
    for (const y of ys.map(Math.fround)) {
      for (const signed of [true, false]) expect(encode(y, signed), `y=${y} signed=${signed}`).toBe(referenceCode(y, signed));
    }
  });
});

for (const backend of BACKENDS) {
  for (const c of CASES) {
    const { family, ...rest } = c;
    const options = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: family === "AdamW" ? 1e-2 : 0, amsgrad: false, maximize: false, ...rest };
    describe(`${backend} ${family} int8 ${JSON.stringify(rest)}`, () => {
      it.each([...SIZES.map((n) => [n, false] as const), [257, true] as const, [1025, true] as const])("n=%i special=%s", async (n, specials) => {
        const engine = await engineFor(backend);
        // Two parameters in one group: blocks count from the group's first element and span both.
        const cut = Math.floor(n / 3);
        const initial = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 5) % SPECIAL.length]) : uniform(n, 7 + n);
        const params: Param[] = [engine.param(initial.slice(0, cut)), engine.param(initial.slice(cut))];
        const Optim = family === "Adam" ? Adam : AdamW;
        const opt = new Optim(params, { ...options, stateDtype: "int8" });
        const ref = { ...options, decoupled: family === "AdamW" };
        const p = initial.slice();
        const m = refSlot(n, true), v = refSlot(n, false), x: RefSlot | null = options.amsgrad ? refSlot(n, false) : null;
        for (let t = 1; t <= STEPS; t++) {
          const g = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 3 + t) % SPECIAL.length]) : uniform(n, 100 * t + n);
          params[0].setGrad(g.subarray(0, cut));
          params[1].setGrad(g.subarray(cut));
          opt.step();
          refAdamStep(ref, t, p, g, m, v, x);
          const got = new Float32Array(n);
          got.set(params[0].data, 0);
          got.set(params[1].data, cut);
          expect(bits(got), `p after step ${t}`).toEqual(bits(p));
          const layout = (opt as any).layouts[0];
          const heap: Float32Array = (engine as any).heap.f32;
          [m, v, x].forEach((slot, k) => {
            if (slot === null) return;
            const at = layout.slots[k];
            expect(Array.from(new Uint8Array(heap.buffer, at, n)), `codes of slot ${k}, step ${t}`).toEqual(Array.from(slot.codes));
            const scales = new Float32Array(heap.buffer, at + int8ScalesAt(n), Math.ceil(n / 256));
            expect(bits(scales), `scales of slot ${k}, step ${t}`).toEqual(bits(slot.scales));
          });
        }
        opt.dispose?.();
      });
    });
  }
}

const SGD_CASES: Partial<RefSgd>[] = [
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true },
  { lr: 0.05, momentum: 0.8, dampening: 0.1 },
  { lr: 0.05, momentum: 0.8, ema: true },
];

for (const backend of BACKENDS) {
  for (const c of SGD_CASES) {
    const options = { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ema: false, ...c };
    describe(`${backend} SGD int8 ${JSON.stringify(c)}`, () => {
      it.each([...SIZES.map((n) => [n, false] as const), [257, true] as const, [1025, true] as const])("n=%i special=%s", async (n, specials) => {
        const engine = await engineFor(backend);
        const cut = Math.floor(n / 3);
        const initial = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 5) % SPECIAL.length]) : uniform(n, 7 + n);
        const params: Param[] = [engine.param(initial.slice(0, cut)), engine.param(initial.slice(cut))];
        const { ema, ...rest } = options;
        const opt = new SGD(params, { ...rest, momentumForm: ema ? "ema" : "accumulate", stateDtype: "int8" });
        const p = initial.slice(), buf = refSlot(n, true);
        for (let t = 1; t <= STEPS; t++) {
          const g = specials ? Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 3 + t) % SPECIAL.length]) : uniform(n, 100 * t + n);
          params[0].setGrad(g.subarray(0, cut));
          params[1].setGrad(g.subarray(cut));
          opt.step();
          refSgdStep(options, t, p, g, buf);
          const got = new Float32Array(n);
          got.set(params[0].data, 0);
          got.set(params[1].data, cut);
          expect(bits(got), `p after step ${t}`).toEqual(bits(p));
          const at = (opt as any).layouts[0].slots[0];
          const heap: Float32Array = (engine as any).heap.f32;
          expect(Array.from(new Uint8Array(heap.buffer, at, n)), `codes, step ${t}`).toEqual(Array.from(buf.codes));
          expect(bits(new Float32Array(heap.buffer, at + int8ScalesAt(n), Math.ceil(n / 256))), `scales, step ${t}`).toEqual(bits(buf.scales));
        }
      });
    });
  }
}
