// Adafactor's kernels driven directly on an engine's heap, one parameter at a time, through the
// step sequence the optimizer uses (src/optim/adafactor-param.ts): against the float64 reference
// over several steps, and bit for bit across the backends, special values included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type BackendName, type Engine } from "../src/index.js";
import { NAN_BITS } from "../src/backend/js/fround.js";
import { MIN_FLOATS_PER_THREAD } from "../src/backend/threads/threaded.js";
import type { Kernels } from "../src/backend/types.js";
import { adafactorParamStep, type AdafactorHyper } from "../src/optim/adafactor-param.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { rng, uniform } from "./helpers/random.js";
import { poolOf } from "./helpers/threads.js";
import { adafactorReference, type AdafactorReferenceOptions } from "./reference/adafactor.js";

const SHAPES: readonly (readonly number[])[] = [[1], [3], [5], [17], [1025], [1, 1], [3, 5], [5, 3], [4, 4], [17, 33], [2, 3, 4]];
/** Empty parameters: torch's means over an empty dim are NaN (0/0), and so are ours; compared bit for bit only. */
const EMPTY: readonly (readonly number[])[] = [[0], [0, 3], [3, 0], [2, 0, 4]];
const STEPS = 8;
const SENTINEL = 12345.5;

interface Case extends AdafactorReferenceOptions {
  desc: string;
  /** Initial parameters in ±pScale (default 1); 1e-4 puts RMS(θ) under eps2. */
  pScale?: number;
  /** Step t's gradients in ±gSize·(1 + t)^gGrowth (defaults 1 and 0): growth makes RMS(U) exceed d. */
  gGrowth?: number;
  gSize?: number;
}

const CASES: readonly Case[] = [
  { desc: "defaults" },
  { desc: "lr 0.5 (ρ = 1/√t from t = 4), weight decay, maximize", lr: 0.5, weightDecay: 0.1, maximize: true },
  { desc: "eps1 1e-3, eps2 1e-2, d 1.25, beta2Decay −0.5", eps1: 1e-3, eps2: 1e-2, d: 1.25, beta2Decay: -0.5 },
  { desc: "beta2Decay 0 (variance = G² each step)", beta2Decay: 0 },
  { desc: "eps1 0.5 (both clamps active)", eps1: 0.5 },
  { desc: "RMS(θ) under eps2", pScale: 1e-4 },
  { desc: "growing gradients (update clipping)", gGrowth: 3 },
  { desc: "gradients under eps1 = null (clamped at 2^-23)", gSize: 1e-8 },
];

function hyper(o: AdafactorReferenceOptions): AdafactorHyper {
  return { lr: o.lr ?? 1e-2, beta2Decay: o.beta2Decay ?? -0.8, eps1: o.eps1 ?? null, eps2: o.eps2 ?? 1e-3, d: o.d ?? 1, weightDecay: o.weightDecay ?? 0 };
}

/** Where a parameter and its state are on the heap (byte offsets; 0 for a buffer it does not have). */
interface At {
  p: number;
  g: number;
  n: number;
  /** batch × rows × cols of a factored parameter, null for one with a per-element variance. */
  factored: { batch: number; rows: number; cols: number } | null;
  rowVar: number;
  colVar: number;
  variance: number;
}

/** One step of a placed parameter, as the optimizer runs it. */
function stepPlaced(k: Kernels, placed: Placed, c: Case, t: number, gScale: number): void {
  const { at } = placed;
  adafactorParamStep(k, hyper(c), t, gScale, placed.shape, at.p, at.g, at.rowVar, at.colVar, at.variance);
}

/** One parameter and its state on the heap, each buffer `shift` floats past a 16-byte boundary and followed by sentinels. */
class Placed {
  readonly at: At;
  private readonly blocks: number[] = [];

  constructor(private readonly engine: Engine, readonly shape: readonly number[], shift: number) {
    const n = shape.reduce((a, b) => a * b, 1);
    const f = shape.length >= 2 ? { batch: shape.slice(0, -2).reduce((a, b) => a * b, 1), rows: shape.at(-2)!, cols: shape.at(-1)! } : null;
    const place = (length: number) => {
      const block = engine.heap.alloc(length + shift + 4);
      this.blocks.push(block);
      const ptr = block + 4 * shift;
      engine.heap.f32.fill(SENTINEL, (ptr >>> 2) + length, (ptr >>> 2) + length + 4);
      return ptr;
    };
    this.at = {
      p: place(n), g: place(n), n, factored: f,
      rowVar: f ? place(f.batch * f.rows) : 0,
      colVar: f ? place(f.batch * f.cols) : 0,
      variance: f ? 0 : place(n),
    };
  }

  view(ptr: number, length: number): Float32Array {
    return this.engine.heap.f32.slice(ptr >>> 2, (ptr >>> 2) + length);
  }

  /** The parameter and every state buffer, by name. */
  buffers(): Record<string, Float32Array> {
    const { at } = this, f = at.factored;
    const out: Record<string, Float32Array> = { param: this.view(at.p, at.n) };
    if (f) {
      out.rowVar = this.view(at.rowVar, f.batch * f.rows);
      out.colVar = this.view(at.colVar, f.batch * f.cols);
    } else {
      out.variance = this.view(at.variance, at.n);
    }
    return out;
  }

  sentinelsKept(): boolean {
    const { at } = this, f = at.factored;
    const ends = [[at.p, at.n], [at.g, at.n], ...(f ? [[at.rowVar, f.batch * f.rows], [at.colVar, f.batch * f.cols]] : [[at.variance, at.n]])];
    return ends.every(([ptr, length]) => this.view(ptr + 4 * length, 4).every((v) => v === SENTINEL));
  }

  free(): void {
    for (const block of this.blocks) this.engine.heap.free(block);
  }
}

function gradient(n: number, t: number, seed: number, c: Case): Float32Array {
  const size = (c.gSize ?? 1) * (1 + t) ** (c.gGrowth ?? 0);
  return uniform(n, 1000 * t + seed, -size, size);
}

describe.each(BACKENDS)("Adafactor kernels on %s", (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  afterAll(() => engine.dispose());

  describe.each(CASES)("$desc", (c) => {
    it.each(SHAPES.map((s) => [s.join("×"), s] as const))(`%s matches the float64 reference over ${STEPS} steps`, (_, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const placed = new Placed(engine, shape, n % 4);
      const ref = adafactorReference(shape, c);
      const p0 = uniform(n, 7 + n, -(c.pScale ?? 1), c.pScale ?? 1);
      engine.heap.f32.set(p0, placed.at.p >>> 2);
      const p64 = Float64Array.from(p0);
      for (let t = 1; t <= STEPS; t++) {
        const g = gradient(n, t, n, c);
        engine.heap.f32.set(g, placed.at.g >>> 2);
        stepPlaced(engine.kernels, placed, c, t, c.maximize ? -1 : 1);
        ref.step(t, p64, Float64Array.from(g));
      }
      const got = placed.buffers();
      // The absolute tolerance follows the parameters' scale, so that tiny ones are checked as closely.
      expectClose(got.param, p64, 2e-5, 2e-6 * (c.pScale ?? 1), "param");
      for (const [name, expected] of Object.entries(ref.state)) expectClose(got[name], expected, 2e-5, 2e-6, name);
      expect(placed.sentinelsKept()).toBe(true);
      expect(Array.from(engine.heap.f32.subarray(placed.at.g >>> 2, (placed.at.g >>> 2) + n))).toEqual(Array.from(gradient(n, STEPS, n, c)));
      placed.free();
    });
  });
});

describe("the reference cases reach every branch", () => {
  it("update clipping (max(1, RMS(U)/d) > 1) happens in the growing case", () => {
    const clipped = (c: Case) => {
      let count = 0;
      for (const shape of SHAPES) {
        const n = shape.reduce((a, b) => a * b, 1);
        const ref = adafactorReference(shape, c);
        const p = Float64Array.from(uniform(n, 7 + n));
        for (let t = 1; t <= STEPS; t++) if (ref.step(t, p, Float64Array.from(gradient(n, t, n, c))) > 1) count++;
      }
      return count;
    };
    expect(clipped(CASES.find((c) => c.gGrowth)!)).toBeGreaterThan(0);
  });
});

/**
 * Runs the steps of one shape on a backend with the given gradients; returns every buffer and the
 * float64 sums Σ U² the reductions returned (their order is part of the contract: the rounding to
 * float32 of the stored results would hide most differences).
 */
async function runOn(backend: BackendName | Engine, shape: readonly number[], c: Case, p0: Float32Array, grads: (t: number) => Float32Array) {
  const engine = typeof backend === "string" ? await engineFor(backend) : backend;
  const n = p0.length;
  const placed = new Placed(engine, shape, (n + 1) % 4);
  engine.heap.f32.set(p0, placed.at.p >>> 2);
  const sums = new Float64Array(STEPS);
  let t = 1;
  const k = engine.kernels;
  const recording: Kernels = {
    ...k,
    adafactorFactoredSq: (...a) => (sums[t - 1] = k.adafactorFactoredSq(...a)),
    adafactorVectorSq: (...a) => (sums[t - 1] = k.adafactorVectorSq(...a)),
  };
  for (; t <= STEPS; t++) {
    engine.heap.f32.set(grads(t), placed.at.g >>> 2);
    stepPlaced(recording, placed, c, t, c.maximize ? -0.75 : 1.25);
  }
  const out: Record<string, Float32Array | Float64Array> = { ...placed.buffers(), sums };
  expect(placed.sentinelsKept()).toBe(true);
  engine.dispose();
  return out;
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 3.4e38, -3.4e38, 1e-20, 1e20];

/** Step t's gradient with special values: one at element t mod n (cycling through all), others sprinkled in (seeded). */
function special(n: number, t: number): Float32Array {
  const next = rng(31 * t + n);
  const out = uniform(n, 31 * t + n);
  for (let i = 0; i < n; i++) if (next() < 0.1) out[i] = SPECIAL[Math.floor(next() * SPECIAL.length)];
  out[t % n] = SPECIAL[(t + n) % SPECIAL.length];
  return out;
}

/** Identical bits, float32 buffers or float64 sums. */
function expectSame(a: Float32Array | Float64Array, b: Float32Array | Float64Array, what: string): void {
  if (a instanceof Float32Array && b instanceof Float32Array) expectBitEqual(a, b, what);
  else expect(Array.from(a).map((x, i) => Object.is(x, b[i]) || (x !== x && b[i] !== b[i])), what).not.toContain(false);
}

function expectCanonicalNaNs(buffer: Float32Array | Float64Array, what: string): void {
  if (buffer instanceof Float64Array) return;
  const bits = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length);
  for (let i = 0; i < buffer.length; i++) if (buffer[i] !== buffer[i] && bits[i] !== NAN_BITS) expect.fail(`${what}[${i}] is a NaN with bits ${bits[i].toString(16)}`);
}

describe(`Adafactor kernels give identical bits on ${BACKENDS.join(", ")}`, () => {
  for (const c of [CASES[0], CASES[1], CASES[4]]) {
    it.each([...SHAPES, ...EMPTY].map((s) => [s.join("×"), s] as const))(`${c.desc}: %s`, async (_, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const p0 = uniform(n, 3 + n);
      const [first, ...others] = await Promise.all(BACKENDS.map((b) => runOn(b, shape, c, p0, (t) => gradient(n, t, n, c))));
      for (const other of others) for (const name of Object.keys(first)) expectSame(other[name], first[name], name);
    });
  }

  it.each(SHAPES.map((s) => [s.join("×"), s] as const))("special values in gradients and parameters: %s, every NaN canonical", async (_, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const p0 = uniform(n, 11 + n);
    // A few special parameters too (RMS(θ) then is ∞ or NaN, and α falls back to eps2·ρ).
    if (n >= 17) [p0[2], p0[9], p0[16]] = [Infinity, -0, 1e-45];
    const results = await Promise.all(BACKENDS.map((b) => runOn(b, shape, CASES[1], p0, (t) => special(n, t))));
    const [first, ...others] = results;
    for (const other of others) for (const name of Object.keys(first)) expectSame(other[name], first[name], name);
    for (const result of results) for (const [name, buffer] of Object.entries(result)) expectCanonicalNaNs(buffer, name);
  });
});

describe("empty dims", () => {
  it.each(BACKENDS)("%s: the mean over an empty dim is NaN (0/0, as torch's), stored canonically", async (backend) => {
    const noCols = await runOn(backend, [3, 0], CASES[0], new Float32Array(0), () => new Float32Array(0));
    const noRows = await runOn(backend, [0, 3], CASES[0], new Float32Array(0), () => new Float32Array(0));
    for (const buffer of [noCols.rowVar, noRows.colVar]) {
      expect(buffer.length).toBe(3);
      expect(Array.from(new Uint32Array(buffer.buffer, buffer.byteOffset, 3))).toEqual([NAN_BITS, NAN_BITS, NAN_BITS]);
    }
  });
});

describe("threads", () => {
  it("the element-wise update split over 2 threads gives the one-thread bits", async () => {
    const shape = [4 * MIN_FLOATS_PER_THREAD + 3];
    const p0 = uniform(shape[0], 5);
    const grads = (t: number) => special(shape[0], t);
    const threaded = await createEngine({ backend: BACKENDS[0], threads: 2 });
    // The engine really runs two threads, and the workers take their shares: a split that stayed on one could not fail.
    expect(threaded.threads).toBe(BACKENDS[0] === "js" ? 1 : 2);
    if (threaded.threads > 1) poolOf(threaded)!.sharesForTest = "workers";
    const split = await runOn(threaded, shape, CASES[1], p0, grads);
    const single = await runOn(BACKENDS[0], shape, CASES[1], p0, grads);
    for (const name of Object.keys(single)) expectSame(split[name], single[name], name);
  });
});
