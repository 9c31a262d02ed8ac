import { describe, expect, it } from "vitest";
import { Adam, AdamW, createEngine, OptimError, SGD, type BackendName, type Engine, type Optimizer, type Param } from "../src/index.js";
import { decodeState, STATE_MAGIC, STATE_VERSION } from "../src/state/format.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { expectOptimError } from "./helpers/errors.js";
import { FAMILIES } from "./helpers/families.js";
import { uniform } from "./helpers/random.js";
import { crc32, expectRejected, fixChecksum, rewriteHeader, sameBytes } from "./helpers/stateBytes.js";

type Make = (params: Param[]) => Optimizer<any>;

/** Explicit configurations that use every slot, plus every exported family with its defaults. */
const CASES: [string, Make][] = [
  ["SGD nesterov", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ["SGD ema", (p) => new SGD(p, { lr: 0.05, momentum: 0.8, momentumForm: "ema" })],
  ["Adam amsgrad", (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.01 })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.01 })],
  ...FAMILIES.map(([name, Family]): [string, Make] => [`${name} defaults`, (p) => new Family(p)]),
];

const NAMES = ["embed", "fc.w", "fc.b"];
const LENGTHS = [37, 130, 9];
const STEPS = 10;
const SAVE_AT = 4;

/** The model's parameters, created in the given order of NAMES. */
function model(engine: Engine, order: readonly number[]): Map<string, Param> {
  const params = new Map<string, Param>();
  for (const i of order) params.set(NAMES[i], engine.param(uniform(LENGTHS[i], 60 + i), { name: NAMES[i] }));
  return params;
}

function setGrads(params: Map<string, Param>, t: number): void {
  NAMES.forEach((name, i) => params.get(name)!.setGrad(uniform(LENGTHS[i], 1000 * t + i).map((x) => x * (t % 3 === 0 ? 4 : 1))));
}

/** Values and every state buffer, by parameter name, so differently ordered models compare. */
function snapshot(optimizer: Optimizer<any>, params: Map<string, Param>): Float32Array[] {
  return NAMES.flatMap((name) => {
    const p = params.get(name)!;
    const state = optimizer.getState(p);
    const buffers = Object.keys(state).sort().flatMap((k) => (state[k] instanceof Float32Array ? [(state[k] as Float32Array).slice()] : []));
    return [p.data.slice(), ...buffers];
  });
}

function expectSame(a: Float32Array[], b: Float32Array[], what: string): void {
  expect(a.length, `${what}: buffer count`).toBe(b.length);
  a.forEach((buffer, i) => expectBitEqual(buffer, b[i], `${what}: buffer ${i}`));
}

async function uninterrupted(make: Make, clip: boolean): Promise<Float32Array[]> {
  const engine = await engineFor(BACKENDS[0]);
  const params = model(engine, [0, 1, 2]);
  const opt = make([...params.values()]);
  if (clip) opt.maxGradNorm = 2;
  for (let t = 1; t <= STEPS; t++) {
    setGrads(params, t);
    opt.step();
  }
  const result = snapshot(opt, params);
  engine.dispose();
  return result;
}

/** Trains to SAVE_AT on one backend, saves, loads into a fresh model on another and finishes. */
async function resumed(make: Make, saveOn: BackendName, loadOn: BackendName, order: number[], clip: boolean): Promise<Float32Array[]> {
  const first = await engineFor(saveOn);
  const params = model(first, [0, 1, 2]);
  const opt = make([...params.values()]);
  if (clip) opt.maxGradNorm = 2;
  for (let t = 1; t <= SAVE_AT; t++) {
    setGrads(params, t);
    opt.step();
  }
  const bytes = opt.saveState();
  const weights = new Map([...params].map(([name, p]) => [name, p.data.slice()]));
  first.dispose();

  const second = await engineFor(loadOn);
  const fresh = model(second, order);
  for (const [name, p] of fresh) p.setData(weights.get(name)!);
  const restored = make([...fresh.values()]);
  restored.loadState(bytes);
  expect(restored.maxGradNorm).toBe(clip ? 2 : Infinity);
  for (let t = SAVE_AT + 1; t <= STEPS; t++) {
    setGrads(fresh, t);
    restored.step();
  }
  const result = snapshot(restored, fresh);
  second.dispose();
  return result;
}

describe.each(CASES)("%s: save at step 4, resume, finish", (_, make) => {
  it("matches the uninterrupted run bit for bit, from and to every backend (clipping on)", async () => {
    const straight = await uninterrupted(make, true);
    for (const saveOn of BACKENDS) {
      for (const loadOn of BACKENDS) expectSame(await resumed(make, saveOn, loadOn, [0, 1, 2], true), straight, `${saveOn} → ${loadOn}`);
    }
  });

  it("matches it too when the model creates its parameters in another order (matched by name)", async () => {
    const straight = await uninterrupted(make, false);
    expectSame(await resumed(make, BACKENDS[0], BACKENDS.at(-1)!, [2, 0, 1], false), straight, "reordered");
  });
});

describe("what a state holds", () => {
  it("is stamped with magic, version, length and a standard CRC-32", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const opt = new Adam([...model(engine, [0, 1, 2]).values()]);
    const bytes = opt.saveState();
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(STATE_MAGIC);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(STATE_VERSION);
    expect(view.getUint32(12, true)).toBe(bytes.length);
    expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    // The standard check value of CRC-32/ISO-HDLC: crc32("123456789") = 0xcbf43926.
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    engine.dispose();
  });

  it("describes kind, slots, every group's options, step count, params and settings", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = model(engine, [0, 1, 2]);
    const [embed, w, b] = [...params.values()];
    const opt = new SGD([{ params: [embed], lr: 0.5 }, { params: [w, b], momentum: 0.9 }], { lr: 0.1 });
    opt.nonFinite = "skip";
    setGrads(params, 1);
    opt.step();
    const { header, payload } = decodeState(opt.saveState());
    expect(header.kind).toBe("SGD");
    expect(header.slots).toEqual([{ name: "momentumBuffer", layout: "element", dtype: "float32" }]);
    expect(header.settings).toEqual({ maxGradNorm: null, gradNormType: 2, nonFinite: "skip", skippedSteps: 0 });
    expect(header.groups.map((g) => [g.hyper.lr, g.hyper.momentum, g.step, g.slots])).toEqual([
      [0.5, 0, 1, []],
      [0.1, 0.9, 1, ["momentumBuffer"]],
    ]);
    expect(header.groups[1].params).toEqual([{ name: "fc.w", shape: [130] }, { name: "fc.b", shape: [9] }]);
    // Only the second group has a buffer: 139 float32 values, byte for byte the heap's.
    const buffer = opt.getState(w).momentumBuffer as Float32Array;
    expectBitEqual(new Float32Array(payload.slice().buffer, 0, 130), buffer);
    expect(payload.length).toBe(4 * 139);
    engine.dispose();
  });

  it("a version-2 state (slots named, one float32 per element) loads as the version-3 one does", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = model(engine, [0, 1, 2]);
    const opt = new Adam([...params.values()], { amsgrad: true });
    setGrads(params, 1);
    opt.step();
    const v3 = opt.saveState();
    const v2 = rewriteHeader(v3, (h) => ((h as Record<string, unknown>).slots = h.slots.map((slot) => slot.name)));
    new DataView(v2.buffer).setUint32(8, 2, true);
    const other = new Adam([...model(engine, [0, 1, 2]).values()], { amsgrad: true });
    other.loadState(fixChecksum(v2));
    expect(other.saveState()).toEqual(v3);
    engine.dispose();
  });

  it("round-trips to identical bytes, on the same optimizer and on every backend", async () => {
    const bytesOn = async (backend: BackendName, load?: Uint8Array) => {
      const engine = await engineFor(backend);
      const params = model(engine, [0, 1, 2]);
      const opt = new Adam([...params.values()], { amsgrad: true });
      if (load) opt.loadState(load);
      else {
        for (let t = 1; t <= 3; t++) {
          setGrads(params, t);
          opt.step();
        }
      }
      const out = opt.saveState();
      opt.loadState(out);
      expect(opt.saveState()).toEqual(out);
      engine.dispose();
      return out;
    };
    const original = await bytesOn(BACKENDS[0]);
    for (const backend of BACKENDS) expect(await bytesOn(backend, original)).toEqual(original);
  });

  it("restores group options in place; a slot the state lacks is fresh again (zeros, first step next)", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = model(engine, [0, 1, 2]);
    const opt = new SGD([...params.values()], { lr: 0.1, momentum: 0.9 });
    const group = opt.paramGroups[0];
    const atStart = opt.saveState(); // before any step: the momentum buffer is fresh, saved as absent
    setGrads(params, 1);
    opt.step();
    group.lr = 0.7;
    opt.loadState(atStart);
    expect(opt.paramGroups[0]).toBe(group);
    expect(group.lr).toBe(0.1);
    const w = params.get("fc.w")!;
    expect(opt.getState(w)).toEqual({ step: 0, momentumBuffer: new Float32Array(w.length) });
    // The next step is a first step again (the buffer starts as the gradient): as a fresh optimizer's.
    const other = await engineFor(BACKENDS[0]);
    const twin = model(other, [0, 1, 2]);
    const fresh = new SGD([...twin.values()], { lr: 0.1, momentum: 0.9 });
    for (const [name, p] of params) twin.get(name)!.setData(p.data);
    setGrads(params, 2);
    setGrads(twin, 2);
    opt.step();
    fresh.step();
    expectSame(snapshot(opt, params), snapshot(fresh, twin), "after reload");
    engine.dispose();
    other.dispose();
  });
});

describe("loadState refuses what does not fit, precisely, changing nothing", () => {
  async function setup(backend: BackendName = BACKENDS[0]) {
    const engine = await engineFor(backend);
    const params = model(engine, [0, 1, 2]);
    const opt = new Adam([...params.values()], { lr: 0.01 });
    setGrads(params, 1);
    opt.step();
    return { engine, params, opt, bytes: opt.saveState() };
  }

  it("rejects what is not a state of this format", async () => {
    const { opt, bytes } = await setup();
    expectRejected(opt, "state", /expected a Uint8Array, got string/);
    expectRejected(opt, bytes.buffer, /expected a Uint8Array, got ArrayBuffer/);
    expectRejected(opt, bytes.subarray(0, 10), /truncated: 10 bytes/);
    expectRejected(opt, new TextEncoder().encode('{"kind":"Adam","state":[1,2,3]}'), /not a wasm-optim optimizer state/);
    const later = bytes.slice();
    new DataView(later.buffer).setUint32(8, STATE_VERSION + 1, true);
    expectRejected(opt, later, new RegExp(`format version ${STATE_VERSION + 1} is not supported`));
    expectRejected(opt, bytes.subarray(0, bytes.length - 1), new RegExp(`truncated: the state has ${bytes.length} bytes, got ${bytes.length - 1}`));
    expectRejected(opt, Uint8Array.of(...bytes, 0), /1 unexpected bytes after the end/);
    const flipped = bytes.slice();
    flipped[bytes.length - 20] ^= 0x10;
    expectRejected(opt, flipped, /checksum mismatch .*corrupted/);
  });

  it("rejects another family, another slot list, another group count", async () => {
    const { engine, params, opt, bytes } = await setup();
    const sgd = new SGD([engine.param(3)]);
    expectRejected(sgd, bytes, "the state was saved by Adam, this optimizer is SGD");
    const adamW = new AdamW([engine.param(3)]);
    expectRejected(adamW, bytes, "saved by Adam, this optimizer is AdamW");
    expectRejected(opt, rewriteHeader(bytes, (h) => h.slots.push({ name: "extra", layout: "element", dtype: "float32" })), /slots \[expAvg, expAvgSq, maxExpAvgSq, extra\] differ/);
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.slots[1] = { ...h.slots[1], layout: "unfactored" })), /slots \[expAvg, expAvgSq \(unfactored, float32\), maxExpAvgSq\] differ/);
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.slots[1] = { ...h.slots[1], dtype: "int4" as "float32" })), /slots\[1\]\.dtype "int4" is not one of float32/);
    const [embed, w, b] = [...model(engine, [0, 1, 2]).values()];
    const twoGroups = new Adam([{ params: [embed] }, { params: [w, b] }]);
    expectRejected(twoGroups, bytes, "the state has 1 param groups, this optimizer has 2");
    expect(params.size).toBe(3);
  });

  it("rejects options that are missing, unknown or out of range", async () => {
    const { opt, bytes } = await setup();
    expectRejected(opt, rewriteHeader(bytes, (h) => delete h.groups[0].hyper.beta2), "param group 0: the state lacks the options beta2");
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.groups[0].hyper.nesterov = true)), "param group 0: the state has unknown options nesterov");
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.groups[0].hyper.beta1 = 1.5)), "param group 0: Adam: invalid beta1 1.5, expected a finite number in [0, 1)");
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.groups[0].hyper.amsgrad = "yes")), /invalid amsgrad "yes"/);
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.settings.nonFinite = "warn")), /saved settings: Adam: invalid nonFinite "warn"/);
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.settings.maxGradNorm = -1)), /invalid maxGradNorm -1/);
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.groups[0].step = -1)), "header: groups[0].step must be a non-negative integer");
    expectRejected(opt, rewriteHeader(bytes, (h) => (h.groups[0].slots = ["expAvgSq", "expAvg"])), /groups\[0\].slots lists "expAvg", which is not one of/);
  });

  it("names the parameter that does not fit", async () => {
    const { engine, bytes } = await setup();
    const build = (names: string[], lengths: number[]) => new Adam(names.map((name, i) => engine.param(lengths[i], { name })));
    expectRejected(build(["embed", "fc.w", "fc.bias"], LENGTHS), bytes, 'parameter "fc.bias" has no saved state (saved: "embed", "fc.w", "fc.b")');
    expectRejected(build(["embed", "fc.w"], LENGTHS), bytes, 'the state has parameters this group lacks: "fc.b"');
    expectRejected(build(["embed", "fc.w", "fc.b"], [37, 131, 9]), bytes, 'parameter "fc.w" has shape [131], the state has [130]');
    const [embed, w, b] = [...model(engine, [0, 1, 2]).values()];
    const split = rewriteHeader(bytes, (h) => {
      const moved = h.groups[0].params.pop()!;
      h.groups.push({ hyper: h.groups[0].hyper, step: 1, params: [moved], slots: [] });
      h.groups[0].slots = [];
    }, new Uint8Array(0));
    expectRejected(new Adam([{ params: [embed, b] }, { params: [w] }]), split, 'param group 0: parameter "fc.b" was saved in param group 1');
    // Unnamed parameters are matched by position, and a position with the wrong name is refused.
    expectRejected(new Adam([engine.param(37), engine.param(130)]), bytes, "the state has 3 parameters, this group has 2 (name every parameter to match by name)");
    expectRejected(new Adam([engine.param(37), engine.param(130, { name: "fc.b" }), engine.param(9)]), bytes, 'parameter 1 is "fc.b" here but "fc.w" in the state');
    expectRejected(new Adam([engine.param(37), engine.param(9), engine.param(130)]), bytes, /parameter \[9\] has shape \[9\], the state has \[130\]/);
  });

  it("loads by position when names are missing, in the saved order", async () => {
    const { engine, params, opt, bytes } = await setup();
    const unnamed = LENGTHS.map((n) => engine.param(n));
    const target = new Adam(unnamed);
    target.loadState(bytes);
    NAMES.forEach((name, i) => {
      const expected = opt.getState(params.get(name)!);
      const got = target.getState(unnamed[i]);
      expectBitEqual(got.expAvg as Float32Array, expected.expAvg as Float32Array, name);
    });
  });

  it("allocates missing buffers first and undoes them if the heap is full", async () => {
    // A state with amsgrad's third buffer, loaded into an Adam that has only its first two (created
    // with it), in a 64 KiB heap filled up with 176-float blocks: the load must allocate one
    // 176-float buffer, refuses with OUT_OF_MEMORY while there is no room, and loads once there is.
    const source = new Adam([...model(await engineFor(BACKENDS[0]), [0, 1, 2]).values()], { lr: 0.01, amsgrad: true });
    source.paramGroups[0].params.forEach((p, i) => p.grad.fill(0.1 * (i + 1)));
    source.step();
    const bytes = source.saveState();
    const small = await createEngine({ backend: BACKENDS[0], initialBytes: 65536, maxBytes: 65536 });
    const target = new Adam(NAMES.map((name, i) => small.param(LENGTHS[i], { name })));
    const filler: number[] = [];
    expect(() => {
      for (;;) filler.push(small.heap.alloc(176));
    }).toThrow(OptimError);
    const used = small.heap.usedBytes;
    const before = target.saveState();
    expectOptimError(() => target.loadState(bytes), "OUT_OF_MEMORY");
    expect(small.heap.usedBytes).toBe(used);
    expect(sameBytes(target.saveState(), before)).toBe(true);
    small.heap.free(filler.pop()!);
    target.loadState(bytes);
    expect(target.getState(target.paramGroups[0].params[0]).step).toBe(1);
    expect(target.paramGroups[0].amsgrad).toBe(true);
    small.dispose();
  });

  it("rejects a header edited by hand into nonsense", async () => {
    const { opt, bytes } = await setup();
    const { payload } = decodeState(bytes);
    const json = (text: string) => {
      const body = new TextEncoder().encode(text);
      const out = new Uint8Array(20 + ((body.length + 3) & ~3) + payload.length + 4);
      out.set(bytes.subarray(0, 8));
      const view = new DataView(out.buffer);
      view.setUint32(8, STATE_VERSION, true);
      view.setUint32(12, out.length, true);
      view.setUint32(16, body.length, true);
      out.set(body, 20);
      out.set(payload, out.length - 4 - payload.length);
      return fixChecksum(out);
    };
    expectRejected(opt, json("{not json"), /the header is not valid UTF-8 JSON/);
    expectRejected(opt, json("[]"), "header: header must be an object");
    expectRejected(opt, json('{"kind":"Adam"}'), "header: slots must be an array");
    const header = JSON.stringify(decodeState(bytes).header);
    expectRejected(opt, json(header.replace('"shape":[37]', '"shape":[36]')), /the payload has \d+ bytes, the header describes \d+/);
    expectRejected(opt, json(header.replace('"shape":[37]', '"shape":[1e300]')), /shape\[0\] must be a non-negative integer/);
    expectRejected(opt, json(header.replace('"shape":[37]', '"shape":[65536,65536]')), /is larger than any heap/);
  });
});
