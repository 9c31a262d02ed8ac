// int8 state (block-wise dynamic quantization), Adam, AdamW and SGD with momentum, every backend, bit for bit against
// test/reference/int8.ts: parameters, every code and every block scale, after several steps, for
// sizes around the SIMD width and the 256-number block, and for blocks holding ±0, denormals, ±∞, NaN.
import { describe, expect, it } from "vitest";
import { Adam, AdamW, SGD, type Param } from "../src/index.js";
import { int8ScalesAt } from "../src/backend/js/int8.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { uniform } from "./helpers/random.js";
import { refAdamStep, refSgdStep, refSlot, referenceMap, type RefAdam, type RefSgd, type RefSlot } from "./reference/int8.js";
import { SIGNED_MAP, UNSIGNED_MAP } from "../src/backend/js/int8.js";

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

it("the map is bitsandbytes' dynamic map: 256 ascending entries, signed from −0.99… to 1 with 0, unsigned from 0 to 1", () => {
  expect(Array.from(SIGNED_MAP)).toEqual(referenceMap(true));
  expect(Array.from(UNSIGNED_MAP)).toEqual(referenceMap(false));
  for (const map of [SIGNED_MAP, UNSIGNED_MAP]) for (let k = 1; k < 256; k++) expect(map[k]).toBeGreaterThan(map[k - 1]);
  expect([SIGNED_MAP[127], SIGNED_MAP[255], UNSIGNED_MAP[0], UNSIGNED_MAP[255]]).toEqual([0, 1, 0, 1]);
  // bitsandbytes' smallest entries: ±10⁻⁶ · 0.55 (the mean of [0.1, 1], one step in the first decade).
  expect(SIGNED_MAP[126]).toBe(Math.fround(-0.55e-6));
  expect(UNSIGNED_MAP[1]).toBe(Math.fround(1e-6 * (0.1 + 0.225) * 1));
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
