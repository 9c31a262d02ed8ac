// bfloat16 state beyond the arithmetic (test/bf16-reference.test.ts): special values on every backend,
// the unbiasedness of stochastic rounding, thread counts, resident bytes, saving and loading (with
// conversions both ways), and bad options refused with nothing changed.
import { describe, expect, it } from "vitest";
import { Adam, AdamW, bfloat16ToFloat32, createEngine, ElementwiseOptimizer, SGD, type ElementwiseOptions, type Param } from "../src/index.js";
import { num } from "../src/validation.js";
import { decodeState, STATE_VERSION } from "../src/state/format.js";
import { FAMILIES, FAMILY_IDS } from "../src/optim/registry.js";
import { poolOf } from "./helpers/threads.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import { bf16Value, roundToBf16 } from "./reference/bf16.js";

const bits32 = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
// The families with bfloat16 kernels (a family without them refuses bfloat16: bf16-state.test.ts).
const ELEMENTWISE = FAMILY_IDS.filter((id) => FAMILIES[id].bfloat16);
// ±0, denormals (float32 and bfloat16), ±∞, NaN, values past the largest bfloat16 (3.3895e38), ordinary ones.
const SPECIAL = [0, -0, 1e-40, -1e-45, 9.2e-41, Infinity, -Infinity, NaN, 3.39e38, -3.4e38, 1, -1, 1e-30, 65504, 0.1, -7];

describe("special values", () => {
  for (const id of ELEMENTWISE) {
    it.each([false, true])(`${FAMILIES[id].kind}: ±0, denormals, ±∞, NaN and overflow give the same bits on ${BACKENDS.join(", ")} (stochastic %s)`, async (stochasticRounding) => {
      const results: number[][] = [];
      for (const backend of BACKENDS) {
        const engine = await engineFor(backend);
        const n = 67;
        const p = engine.param(Float32Array.from({ length: n }, (_, i) => SPECIAL[i % SPECIAL.length]));
        const opt = new FAMILIES[id].optimizer([p], { stateDtype: "bfloat16", stochasticRounding });
        const out: number[] = [];
        for (let t = 0; t < 3; t++) {
          p.setGrad(Float32Array.from({ length: n }, (_, i) => SPECIAL[(i * 7 + t) % SPECIAL.length]));
          opt.step();
          out.push(...bits32(p.data));
          for (const view of Object.values((opt as unknown as { getStateBits(p: Param): Record<string, Uint16Array> }).getStateBits(p))) out.push(...view);
        }
        // Every NaN stored is canonical: 0xFFFFFFFF in values, 0xFFFF in bfloat16 state.
        bits32(p.data).forEach((b) => expect(b === 0xffffffff || (b & 0x7fffffff) <= 0x7f800000).toBe(true));
        results.push(out);
        engine.dispose();
      }
      for (const other of results.slice(1)) expect(other).toEqual(results[0]);
    });
  }

  it("rounding to bfloat16: NaN is 0xFFFF, ±∞ stay, past the largest finite rounds to ∞, denormals round (reference)", () => {
    expect(roundToBf16(NaN)).toBe(0xffff);
    expect(roundToBf16(Infinity)).toBe(0x7f80);
    expect(roundToBf16(-Infinity)).toBe(0xff80);
    expect(roundToBf16(3.4e38)).toBe(0x7f80);
    expect(roundToBf16(-0)).toBe(0x8000);
    // Denormals: the bfloat16 quantum is 2⁻¹³³ there; ties go to the even pattern.
    const q = 2 ** -133;
    expect([1.25, 1.5, 2.5, 2.75].map((k) => roundToBf16(k * q))).toEqual([1, 2, 2, 3]);
    expect(bf16Value(3)).toBe(3 * q);
  });
});

describe("stochastic rounding", () => {
  it("is unbiased in the mean: SGD momentum buffers of a value between two bfloat16 neighbours", async () => {
    const engine = await createEngine();
    const n = 1 << 16;
    // x = 1 + 0.3·2⁻⁷: between the bfloat16 neighbours 1 and 1 + 2⁻⁷, nearest is 1 (bias −0.3 quanta).
    const q = 2 ** -7, x = Math.fround(1 + 0.3 * q);
    const p = engine.param(n);
    const opt = new SGD([p], { lr: 0, momentum: 0.9, stateDtype: "bfloat16", stochasticRounding: true, roundingSeed: 42 });
    const nearest = new SGD([engine.param(n)], { lr: 0, momentum: 0.9, stateDtype: "bfloat16" });
    p.grad.fill(x);
    nearest.paramGroups[0].params[0].grad.fill(x);
    opt.step(); // the first step starts the buffer from the gradient: b = g, rounded
    nearest.step();
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const sd = q * Math.sqrt((0.3 * 0.7) / n); // the mean's standard deviation under unbiased rounding
    const sr = opt.getState(p).momentumBuffer!;
    expect(Math.abs(mean(sr) - x)).toBeLessThan(5 * sd);
    // The test can fail: rounding to nearest is off by 0.3 quanta, hundreds of deviations.
    expect(Math.abs(mean(nearest.getState(nearest.paramGroups[0].params[0]).momentumBuffer!) - x)).toBeGreaterThan(100 * sd);
    // Both neighbours occur.
    expect(new Set(sr).size).toBe(2);
    engine.dispose();
  });

  it("draws new bits every step and with every seed", async () => {
    const engine = await createEngine();
    const run = (seed: number, steps: number) => {
      const p = engine.param(1024);
      const opt = new SGD([p], { lr: 0, momentum: 0.5, momentumForm: "ema", stateDtype: "bfloat16", stochasticRounding: true, roundingSeed: seed });
      p.grad.fill(1 + 0.5 * 2 ** -7);
      for (let t = 0; t < steps; t++) opt.step();
      return Array.from((opt as unknown as { getStateBits(p: Param): Record<string, Uint16Array> }).getStateBits(p).momentumBuffer);
    };
    expect(run(1, 1)).toEqual(run(1, 1));
    expect(run(1, 1)).not.toEqual(run(2, 1));
    engine.dispose();
  });

  for (const backend of BACKENDS.filter((b) => b !== "js")) {
    it(`${backend}: the same bits on 1 and 2 threads (the hash counts elements of the group, not of a thread's chunk)`, async () => {
      const results: number[][] = [];
      for (const threads of [1, 2]) {
        const engine = await createEngine({ backend, threads });
        expect(engine.threads).toBe(threads);
        if (threads > 1) poolOf(engine)!.sharesForTest = "workers";
        const params = [engine.param(uniform(70001, 1)), engine.param(uniform(50003, 2))];
        const opt = new Adam(params, { lr: 0.01, amsgrad: true, stateDtype: "bfloat16", stochasticRounding: true, roundingSeed: 9 });
        for (let t = 1; t <= 3; t++) {
          params.forEach((p, k) => p.setGrad(uniform(p.length, 100 * t + k)));
          opt.step();
        }
        results.push(params.flatMap((p) => [...bits32(p.data), ...Object.values((opt as unknown as { getStateBits(p: Param): Record<string, Uint16Array> }).getStateBits(p)).flatMap((v) => Array.from(v))]));
        engine.dispose();
      }
      expect(results[1]).toEqual(results[0]);
    });
  }
});

describe("resident bytes", () => {
  it("stateBytes measures the slots' blocks: Adam keeps 8 bytes a parameter in float32, 4 in bfloat16", async () => {
    const engine = await createEngine();
    const n = 1 << 20;
    const f32 = new Adam([engine.param(n)], { amsgrad: true });
    const bf16 = new Adam([engine.param(n)], { stateDtype: "bfloat16" });
    expect(f32.stateBytes).toBe(12 * n);
    expect(bf16.stateBytes).toBe(4 * n);
    const before = engine.heap.usedBytes;
    bf16.paramGroups[0].amsgrad = true;
    bf16.step(); // amsgrad's slot is created by the step that needs it
    expect(bf16.stateBytes).toBe(6 * n);
    expect(engine.heap.usedBytes - before).toBe(2 * n);
    engine.dispose();
  });
});

describe("save and load", () => {
  async function trained(stateDtype: "float32" | "bfloat16", engineBackend = BACKENDS[0]) {
    const engine = await engineFor(engineBackend);
    const params = [engine.param(uniform(37, 3), { name: "w" }), engine.param(uniform(5, 4), { name: "b" })];
    const opt = new AdamW(params, { lr: 0.01, amsgrad: true, stateDtype });
    for (let t = 1; t <= 3; t++) {
      params.forEach((p, k) => p.setGrad(uniform(p.length, 50 * t + k)));
      opt.step();
    }
    return { engine, params, opt };
  }
  const stateBits = (opt: AdamW, p: Param) => (opt as unknown as { getStateBits(p: Param): Record<string, Float32Array | Uint16Array> }).getStateBits(p);

  it("saves bfloat16 slots at 2 bytes a number (format version 4 and later: the version this build writes) and loads them back bit for bit on every backend", async () => {
    const a = await trained("bfloat16");
    const bytes = a.opt.saveState();
    const { header, payload } = decodeState(bytes);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(STATE_VERSION);
    expect(header.slots.map((s) => s.dtype)).toEqual(["bfloat16", "bfloat16", "bfloat16"]);
    expect(payload.length).toBe(3 * 2 * 42);
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const params = [engine.param(37, { name: "w" }), engine.param(5, { name: "b" })];
      const opt = new AdamW(params, { stateDtype: "bfloat16" });
      opt.loadState(bytes);
      params.forEach((p, k) => expect(stateBits(opt, p)).toEqual(stateBits(a.opt, a.params[k])));
      expect(opt.saveState()).toEqual(bytes);
      engine.dispose();
    }
    a.engine.dispose();
  });

  it("a float32 state loads into a bfloat16 optimizer rounded to nearest even, and back exactly", async () => {
    const a = await trained("float32");
    const engine = await createEngine();
    const params = [engine.param(37, { name: "w" }), engine.param(5, { name: "b" })];
    const half = new AdamW(params, { stateDtype: "bfloat16" });
    half.loadState(a.opt.saveState());
    params.forEach((p, k) => {
      const saved = stateBits(a.opt, a.params[k]), loaded = stateBits(half, p);
      for (const name of Object.keys(saved)) expect(Array.from(loaded[name]), name).toEqual(Array.from(saved[name] as Float32Array, (x) => roundToBf16(x)));
    });
    const full = new AdamW([engine.param(37, { name: "w" }), engine.param(5, { name: "b" })]);
    full.loadState(half.saveState());
    full.paramGroups[0].params.forEach((p, k) => {
      const state = full.getState(p), rounded = half.getState(params[k]);
      for (const name of ["expAvg", "expAvgSq", "maxExpAvgSq"] as const) expect(bits32(state[name]!)).toEqual(bits32(rounded[name]!));
    });
    engine.dispose();
    a.engine.dispose();
  });

  it("getState dequantizes bfloat16 exactly into Float32Array copies", async () => {
    const a = await trained("bfloat16");
    const state = a.opt.getState(a.params[0]);
    const raw = stateBits(a.opt, a.params[0]).expAvg as Uint16Array;
    expect(state.expAvg).toBeInstanceOf(Float32Array);
    expect(Array.from(state.expAvg)).toEqual(Array.from(raw, bf16Value));
    a.engine.dispose();
  });

  it("a state with a bfloat16 slot and version 3 is refused as crafted", async () => {
    const a = await trained("bfloat16");
    const bytes = a.opt.saveState().slice();
    new DataView(bytes.buffer).setUint32(8, 3, true);
    // The checksum covers the version: re-sign the edited bytes, so the version check is what refuses.
    const { crc32 } = await import("../src/state/crc32.js");
    new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    expect(expectOptimError(() => a.opt.loadState(bytes), "STATE_INCOMPATIBLE").message).toMatch(/needs format version 4/);
    a.engine.dispose();
  });
});

describe("bad storage options", () => {
  const BAD: [string, Record<string, unknown>][] = [
    ["an unknown dtype", { stateDtype: "float16" }],
    ["a dtype that is not a string", { stateDtype: 2 }],
    ["stochasticRounding not a boolean", { stateDtype: "bfloat16", stochasticRounding: 1 }],
    ["stochasticRounding on float32 state", { stochasticRounding: true }],
    ["a negative seed", { stateDtype: "bfloat16", stochasticRounding: true, roundingSeed: -1 }],
    ["a fractional seed", { stateDtype: "bfloat16", roundingSeed: 1.5 }],
    ["a seed of 2^32", { stateDtype: "bfloat16", roundingSeed: 2 ** 32 }],
  ];
  for (const id of ELEMENTWISE) {
    it.each(BAD)(`${FAMILIES[id].kind} refuses %s with INVALID_HYPERPARAMETER, changing nothing`, async (_, options) => {
      const engine = await createEngine();
      const p = engine.param(9);
      const used = engine.heap.usedBytes;
      expectOptimError(() => new FAMILIES[id].optimizer([p], options), "INVALID_HYPERPARAMETER");
      expect(engine.heap.usedBytes).toBe(used);
      expect(p.owner).toBe(null);
      engine.dispose();
    });
  }

  it("a param group cannot set the storage: it is the optimizer's", async () => {
    const engine = await createEngine();
    const p = engine.param(9);
    expectOptimError(() => new Adam([{ params: [p], stateDtype: "bfloat16" } as never]), "INVALID_HYPERPARAMETER");
    expect(p.owner).toBe(null);
    const opt = new Adam([p], { stateDtype: "bfloat16", stochasticRounding: true, roundingSeed: 3 });
    expect([opt.stateDtype, opt.stochasticRounding, opt.roundingSeed]).toEqual(["bfloat16", true, 3]);
    engine.dispose();
  });

  it("a family without bfloat16 kernels refuses bfloat16 state (its float32 kernel would run over 2-byte slots)", async () => {
    class Plain extends ElementwiseOptimizer<{ lr: number }> {
      constructor(params: Param[], options: ElementwiseOptions<{ lr: number }>) {
        super({ kind: "Plain", rules: { lr: num(0.1) }, slots: ["buf"] }, params, options);
      }
      protected update(): void {}
    }
    const engine = await createEngine();
    const p = engine.param(9);
    const used = engine.heap.usedBytes;
    expect(expectOptimError(() => new Plain([p], { stateDtype: "bfloat16" }), "INVALID_HYPERPARAMETER").message).toMatch(/no bfloat16 kernels/);
    expect(engine.heap.usedBytes).toBe(used);
    expect(new Plain([p], { stateDtype: "float32" }).stateDtype).toBe("float32");
    engine.dispose();
  });

  it.each(FAMILY_IDS.filter((id) => FAMILIES[id].elementwise && !FAMILIES[id].bfloat16))("%s, without bfloat16 kernels, refuses bfloat16 state", async (id) => {
    const engine = await createEngine();
    expectOptimError(() => new FAMILIES[id].optimizer([engine.param(9)], { stateDtype: "bfloat16" }), "INVALID_HYPERPARAMETER");
    engine.dispose();
  });

  it("L-BFGS, whose state is not per element, takes no storage option", async () => {
    const engine = await createEngine();
    const p = engine.param(9);
    expectOptimError(() => new FAMILIES.lbfgs.optimizer([p], { stateDtype: "bfloat16" }), "INVALID_HYPERPARAMETER");
    engine.dispose();
  });
});

describe("bfloat16ToFloat32", () => {
  it("widens each pattern exactly and refuses what is not a Uint16Array", () => {
    const bits = Uint16Array.of(0x3f80, 0xbf80, 0x7f80, 0xffff, 0x0001);
    expect([...new Uint32Array(bfloat16ToFloat32(bits).buffer)]).toEqual([0x3f800000, 0xbf800000, 0x7f800000, 0xffff0000, 0x00010000]);
    for (const wrong of [null, "3f80", [0x3f80], Float32Array.of(1)]) {
      expect(expectOptimError(() => bfloat16ToFloat32(wrong as unknown as Uint16Array), "INVALID_ARGUMENT").message).toMatch(/expected a Uint16Array/);
    }
  });
});
