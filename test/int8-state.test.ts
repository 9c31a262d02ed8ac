// int8 state beyond the kernel's bits (int8-reference.test.ts): which families take it, resident
// bytes, thread counts, getState, save and load (int8 ↔ float32 ↔ bfloat16, format versions), and
// bad options refused with nothing changed.
import { describe, expect, it } from "vitest";
import { Adam, AdamW, createEngine, type Param } from "../src/index.js";
import { decodeState } from "../src/state/format.js";
import { FAMILIES, FAMILY_IDS } from "../src/optim/registry.js";
import { int8ScalesAt, SCRATCH_BYTES, SIGNED_VALUES } from "../src/backend/js/int8.js";
import { V5_SIGNED_MAP, V5_UNSIGNED_MAP } from "../src/state/int8-v5.js";
import { poolOf } from "./helpers/threads.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectOptimError } from "./helpers/errors.js";
import { fixChecksum } from "./helpers/stateBytes.js";
import { uniform } from "./helpers/random.js";
import { refSlot, refStoreBlock, refValue } from "./reference/int8.js";

type Bits = { getStateBits(p: Param): Record<string, Float32Array | Uint16Array | Uint8Array> };
const bits32 = (x: Float32Array) => Array.from(new Uint32Array(Float32Array.from(x).buffer), (b, i) => (x[i] !== x[i] ? 0xffffffff : b));
const INT8 = FAMILY_IDS.filter((id) => FAMILIES[id].int8);

/** An AdamW with amsgrad over two parameters (names a, b), trained 3 steps. */
async function trained(backend: (typeof BACKENDS)[number], stateDtype: "float32" | "bfloat16" | "int8", sizes = [300, 500]) {
  const engine = await engineFor(backend);
  const params = sizes.map((n, k) => engine.param(uniform(n, 1 + k), { name: "ab"[k] }));
  const opt = new AdamW(params, { lr: 0.01, amsgrad: true, stateDtype });
  for (let t = 1; t <= 3; t++) {
    params.forEach((p, k) => p.setGrad(uniform(p.length, 10 * t + k)));
    opt.step();
  }
  return { engine, params, opt };
}

/** Heap codes and scales of slot k of group 0. */
function rawSlot(opt: unknown, engine: { heap: { f32: Float32Array } }, k: number, n: number): number[] {
  const at = (opt as any).layouts[0].slots[k] as number;
  return [...new Uint8Array(engine.heap.f32.buffer, at, n), ...bits32(new Float32Array(engine.heap.f32.buffer, at + int8ScalesAt(n), Math.ceil(n / 256)))];
}

describe("families", () => {
  it("every family with per-element state takes int8 (those that take bfloat16); every other element-wise family refuses it with INVALID_HYPERPARAMETER, changing nothing", async () => {
    expect(INT8.map((id) => FAMILIES[id].kind).sort()).toEqual(["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Lion", "NAdam", "RAdam", "RMSprop", "Rprop", "SGD"]);
    expect(INT8).toEqual(FAMILY_IDS.filter((id) => FAMILIES[id].bfloat16));
    for (const id of FAMILY_IDS.filter((i) => FAMILIES[i].elementwise && !FAMILIES[i].int8)) {
      const engine = await createEngine();
      const p = engine.param(9);
      const used = engine.heap.usedBytes;
      expect(expectOptimError(() => new FAMILIES[id].optimizer([p], { stateDtype: "int8" }), "INVALID_HYPERPARAMETER").message, id).toMatch(/no int8 kernels/);
      expect(engine.heap.usedBytes).toBe(used);
      expect(p.owner).toBe(null);
      engine.dispose();
    }
  });

  it.each([
    ["stochastic rounding", { stateDtype: "int8", stochasticRounding: true }],
    ["an unknown dtype", { stateDtype: "uint8" }],
    ["a null dtype", { stateDtype: null }],
    ["a null stochasticRounding", { stochasticRounding: null }],
    ["int8 in a param group", null],
  ] as const)("Adam refuses %s with nothing changed", async (_, options) => {
    const engine = await createEngine();
    const p = engine.param(9);
    const used = engine.heap.usedBytes;
    if (options === null) expectOptimError(() => new Adam([{ params: [p], stateDtype: "int8" } as never]), "INVALID_HYPERPARAMETER");
    else expectOptimError(() => new Adam([p], options as never), "INVALID_HYPERPARAMETER");
    expect(engine.heap.usedBytes).toBe(used);
    expect(p.owner).toBe(null);
    engine.dispose();
  });
});

describe("resident bytes", () => {
  it("stateBytes: per slot n codes (padded to 16) + a float32 per 256, and 12,480 bytes of kernel scratch per thread that can run, per group", async () => {
    expect(SCRATCH_BYTES).toBe(12480);
    for (const threads of [1, 3]) {
      const engine = await createEngine({ threads });
      for (const n of [1, 256, 1000, 1 << 20]) {
        const opt = new Adam([engine.param(n)], { stateDtype: "int8", amsgrad: true });
        const slot = Math.ceil((((n + 15) & ~15) + 4 * Math.ceil(n / 256)) / 16) * 16;
        expect(opt.stateBytes, `n=${n}`).toBe(3 * slot + threads * 12480);
        opt.dispose();
      }
      engine.dispose();
    }
    // Threads asked for on a memory workers cannot share: one thread's scratch is enough.
    const unshared = await createEngine({ threads: 3, sharedMemory: false });
    expect(unshared.threads).toBe(1);
    expect(new Adam([unshared.param(1)], { stateDtype: "int8" }).stateBytes).toBe(2 * 32 + 12480);
    unshared.dispose();
    const engine = await createEngine();
    // 1M parameters: 2.03 bytes a number per moment, against 8 in float32.
    const n = 1 << 20;
    expect(new Adam([engine.param(n)], { stateDtype: "int8" }).stateBytes / n).toBeLessThan(2.07);
    engine.dispose();
  });
});

describe("threads and getState", () => {
  for (const backend of BACKENDS.filter((b) => b !== "js")) {
    it(`${backend}: the same bits on 1, 2 and 3 threads (a split cuts at 256-number blocks, each thread its own scratch)`, async () => {
      const results: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const engine = await createEngine({ backend, threads });
        if (threads > 1) poolOf(engine)!.sharesForTest = "workers";
        const params = [engine.param(uniform(70001, 1)), engine.param(uniform(50003, 2))];
        const opt = new Adam(params, { lr: 0.01, amsgrad: true, stateDtype: "int8" });
        for (let t = 1; t <= 3; t++) {
          params.forEach((p, k) => p.setGrad(uniform(p.length, 100 * t + k)));
          opt.step();
        }
        results.push([...params.flatMap((p) => bits32(p.data)), ...[0, 1, 2].flatMap((k) => rawSlot(opt, engine, k, 120004))]);
        engine.dispose();
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });
  }

  it("getState dequantizes (a copy: VALUE[code] · its block's scale, blocks counted across the group); getStateBits gives the codes", async () => {
    const { engine, params, opt } = await trained("js", "int8");
    const at = (opt as any).layouts[0].slots[0] as number, n = 800;
    const scales = new Float32Array(engine.heap.f32.buffer, at + int8ScalesAt(n), 4);
    const codes = (opt as unknown as Bits).getStateBits(params[1]).expAvg as Uint8Array;
    expect(codes).toBeInstanceOf(Uint8Array);
    expect(codes.length).toBe(500);
    const m = opt.getState(params[1]).expAvg;
    m.forEach((x, j) => expect(x).toBe(Math.fround(SIGNED_VALUES[codes[j]] * scales[(300 + j) >> 8])));
    const v = opt.getState(params[0]).expAvgSq;
    expect(v.length).toBe(300);
    expect(v.every((x) => x >= 0)).toBe(true);
    engine.dispose();
  });
});

describe("save and load", () => {
  it("int8 saves codes and scales (format version 6) and loads them back bit for bit on every backend", async () => {
    const a = await trained("js", "int8");
    const bytes = a.opt.saveState();
    const { header, payload } = decodeState(bytes);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(6);
    expect(header.slots.map((s) => s.dtype)).toEqual(["int8", "int8", "int8"]);
    expect(payload.length).toBe(3 * (800 + 4 * 4));
    const expected = [0, 1, 2].flatMap((k) => rawSlot(a.opt, a.engine, k, 800));
    a.params.forEach((p, k) => p.setGrad(uniform(p.length, 99 + k)));
    a.opt.step();
    for (const backend of BACKENDS) {
      const b = await trained(backend, "int8");
      b.opt.loadState(bytes);
      expect([0, 1, 2].flatMap((k) => rawSlot(b.opt, b.engine, k, 800)), backend).toEqual(expected);
      // And the next step agrees with the saving optimizer's (whose parameters `trained` made the same).
      b.params.forEach((p, k) => p.setGrad(uniform(p.length, 99 + k)));
      b.opt.step();
      expect(b.params.flatMap((p) => bits32(p.data)), backend).toEqual(a.params.flatMap((p) => bits32(p.data)));
      expect([0, 1, 2].flatMap((k) => rawSlot(b.opt, b.engine, k, 800)), backend).toEqual([0, 1, 2].flatMap((k) => rawSlot(a.opt, a.engine, k, 800)));
      b.engine.dispose();
    }
    a.engine.dispose();
  });

  it("int8 → float32 and → bfloat16 load the dequantized values; float32 and bfloat16 → int8 quantize as the kernels", async () => {
    const q = await trained("js", "int8");
    const qState = q.params.map((p) => q.opt.getState(p));
    for (const dtype of ["float32", "bfloat16"] as const) {
      const t = await trained("js", dtype);
      t.opt.loadState(q.opt.saveState());
      t.params.forEach((p, k) => {
        const s = t.opt.getState(p);
        for (const name of ["expAvg", "expAvgSq", "maxExpAvgSq"] as const) {
          const want = dtype === "float32" ? qState[k][name]! : Float32Array.from(qState[k][name]!, (x) => bf16(x));
          expect(bits32(s[name]!), `${dtype} ${name}`).toEqual(bits32(want));
        }
      });
      // Back: the float values of each slot quantized per 256-number block of the group.
      const back = await trained("js", "int8");
      back.opt.loadState(t.opt.saveState());
      ["expAvg", "expAvgSq", "maxExpAvgSq"].forEach((name, k) => {
        const values = Float32Array.from(t.params.flatMap((p) => Array.from(t.opt.getState(p)[name as "expAvg"]!)));
        const ref = refSlot(800, k === 0);
        for (let b = 0; 256 * b < 800; b++) refStoreBlock(ref, b, Array.from(values.subarray(256 * b, 256 * b + 256)));
        expect(rawSlot(back.opt, back.engine, k, 800), `${dtype} → int8 ${name}`).toEqual([...ref.codes, ...bits32(ref.scales)]);
        expect(Array.from({ length: 800 }, (_, i) => refValue(ref, i)).every((x) => x === x)).toBe(true);
      });
      t.engine.dispose();
      back.engine.dispose();
    }
    q.engine.dispose();
  });

  it("parameters matched by name in another order: an int8 slot is requantized from its values", async () => {
    const a = await trained("js", "int8");
    const engine = await engineFor("js");
    const params = [engine.param(500, { name: "b" }), engine.param(300, { name: "a" })];
    const opt = new AdamW(params, { lr: 0.01, amsgrad: true, stateDtype: "float32" });
    opt.loadState(a.opt.saveState());
    // float32 here: exactly the dequantized values, moved to b's and a's new places.
    expect(bits32(opt.getState(params[1]).expAvg)).toEqual(bits32(a.opt.getState(a.params[0]).expAvg));
    expect(bits32(opt.getState(params[0]).expAvgSq)).toEqual(bits32(a.opt.getState(a.params[1]).expAvgSq));
    const qParams = [engine.param(500, { name: "b" }), engine.param(300, { name: "a" })];
    const q = new AdamW(qParams, { lr: 0.01, amsgrad: true, stateDtype: "int8" });
    q.loadState(a.opt.saveState());
    const err = Math.max(...Array.from(q.getState(qParams[1]).expAvg, (x, i) => Math.abs(x - a.opt.getState(a.params[0]).expAvg[i])));
    const scale = Math.max(...Array.from(a.opt.getState(a.params[0]).expAvg, Math.abs));
    expect(err).toBeLessThan(0.05 * scale);
    engine.dispose();
    a.engine.dispose();
  });

  it("a version 4 state (float32 or bfloat16 slots) loads into int8 state; an int8 slot in a version 4 state is refused", async () => {
    const f = await trained("js", "bfloat16");
    const v4 = f.opt.saveState().slice();
    new DataView(v4.buffer).setUint32(8, 4, true);
    const q = await trained("js", "int8");
    q.opt.loadState(fixChecksum(v4));
    expect(q.opt.getState(q.params[0]).step).toBe(3);
    const i8 = q.opt.saveState().slice();
    new DataView(i8.buffer).setUint32(8, 4, true);
    const before = [0, 1, 2].flatMap((k) => rawSlot(q.opt, q.engine, k, 800));
    expect(expectOptimError(() => q.opt.loadState(fixChecksum(i8)), "STATE_INCOMPATIBLE").message).toMatch(/needs format version 5/);
    expect([0, 1, 2].flatMap((k) => rawSlot(q.opt, q.engine, k, 800))).toEqual(before);
    f.engine.dispose();
    q.engine.dispose();
  });

  it("a version 5 state's int8 codes are bitsandbytes' dynamic map: they load as MAP[code] · scale, into float32 exactly, into int8 requantized", async () => {
    const q = await trained("js", "int8");
    const v5 = q.opt.saveState().slice();
    new DataView(v5.buffer).setUint32(8, 5, true);
    const bytes = fixChecksum(v5);
    const { payload } = decodeState(bytes);
    const codesOf = (k: number) => payload.subarray(816 * k, 816 * k + 800);
    const scalesOf = (k: number) => new Float32Array(payload.slice(816 * k + 800, 816 * k + 816).buffer);
    const expected = [0, 1, 2].map((k) => Float32Array.from(codesOf(k), (c, i) => (k === 0 ? V5_SIGNED_MAP : V5_UNSIGNED_MAP)[c] * scalesOf(k)[i >> 8]));
    const f = await trained("js", "float32");
    f.opt.loadState(bytes);
    ["expAvg", "expAvgSq", "maxExpAvgSq"].forEach((name, k) => {
      const got = f.params.flatMap((p) => Array.from(f.opt.getState(p)[name as "expAvg"]!));
      expect(bits32(Float32Array.from(got)), name).toEqual(bits32(expected[k]));
    });
    const back = await trained("js", "int8");
    back.opt.loadState(bytes);
    ["expAvg", "expAvgSq", "maxExpAvgSq"].forEach((name, k) => {
      const ref = refSlot(800, k === 0);
      for (let b = 0; 256 * b < 800; b++) refStoreBlock(ref, b, expected[k].subarray(256 * b, 256 * b + 256));
      expect(rawSlot(back.opt, back.engine, k, 800), name).toEqual([...ref.codes, ...bits32(ref.scales)]);
    });
    for (const x of [q, f, back]) x.engine.dispose();
  });

  it("a negative scale in a second-moment slot is refused with nothing changed", async () => {
    const q = await trained("js", "int8");
    const bytes = q.opt.saveState().slice();
    const { payload } = decodeState(bytes);
    const payloadAt = bytes.length - 4 - payload.length;
    // expAvgSq is the second slot: its scales follow its 800 codes.
    new DataView(bytes.buffer).setFloat32(payloadAt + 816 + 800, -1, true);
    const before = [0, 1, 2].flatMap((k) => rawSlot(q.opt, q.engine, k, 800));
    expect(expectOptimError(() => q.opt.loadState(fixChecksum(bytes)), "STATE_INCOMPATIBLE").message).toMatch(/block scale -1/);
    expect([0, 1, 2].flatMap((k) => rawSlot(q.opt, q.engine, k, 800))).toEqual(before);
    q.engine.dispose();
  });
});

function bf16(x: number): number {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  if (x !== x) return NaN;
  u[0] = ((u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16) << 16;
  return f[0];
}
