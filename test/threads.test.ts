// Threads change nothing but speed: every family, with every clipping and non-finite mode, gives
// the same bits (parameters, every state buffer, the measured norm, skipped steps) on 1, 2, 3 and 4
// threads (more threads than this machine's cores too), on the scalar build, and on the js backend.
import { describe, expect, it } from "vitest";
import { clipGradNorm, clipGradValue, createEngine, OptimError, type BackendName, type Param } from "../src/index.js";
import { MIN_FLOATS_PER_THREAD } from "../src/backend/threads/threaded.js";
import { REDUCE_BLOCK } from "../src/backend/threads/blocks.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { FAMILIES, type OptimizerClass } from "./helpers/families.js";
import { uniform } from "./helpers/random.js";
import { poolOf } from "./helpers/threads.js";

// Three tensors, 103,339 floats: 4 threads all get a share (over 4·MIN_FLOATS_PER_THREAD), the norms
// span 7 reduction blocks, and the odd lengths leave scalar tails in every chunk boundary case.
const LENGTHS = [70001, 33333, 5];
const TOTAL = LENGTHS.reduce((a, b) => a + b);
const STEPS = 4;
const POISONED_STEP = 2;

interface Mode {
  label: string;
  options: Record<string, unknown>;
  /** A gradient entry set to this on POISONED_STEP (NaN or ±Infinity). */
  poison?: number;
}

const MODES: Mode[] = [
  { label: "no clipping", options: {} },
  { label: "maxGradNorm, 2-norm", options: { maxGradNorm: 0.5 } },
  { label: "maxGradNorm, ∞-norm", options: { maxGradNorm: 0.01, gradNormType: Infinity } },
  { label: "nonFinite skip with a NaN", options: { nonFinite: "skip", maxGradNorm: 2 }, poison: NaN },
  { label: "nonFinite throw with an infinity", options: { nonFinite: "throw" }, poison: -Infinity },
  { label: "nonFinite proceed with a NaN, clipped", options: { maxGradNorm: 1 }, poison: NaN },
];

interface Config {
  backend: BackendName;
  threads: number;
  /** Who runs the workers' shares (pool.sharesForTest): both paths must give the same bits. */
  shares?: "race" | "workers" | "caller";
}

async function run(Family: OptimizerClass, mode: Mode, { backend, threads, shares = "race" }: Config) {
  const engine = await createEngine({ backend, threads });
  // The engine really runs this many threads: a run that silently stayed on one could not fail.
  expect(engine.threads).toBe(backend === "js" ? 1 : threads);
  if (threads > 1) poolOf(engine)!.sharesForTest = shares;
  const params = LENGTHS.map((n, k) => engine.param(uniform(n, 10 + k)));
  const optimizer = new Family(params, mode.options);
  const norms: (number | undefined)[] = [];
  const errors: string[] = [];
  for (let t = 1; t <= STEPS; t++) {
    const g = uniform(TOTAL, 100 + t, -2, 2);
    if (t === POISONED_STEP && mode.poison !== undefined) g[LENGTHS[0] + 1234] = mode.poison;
    let at = 0;
    for (const p of params) {
      p.setGrad(g.subarray(at, at + p.length));
      at += p.length;
    }
    try {
      optimizer.step();
    } catch (error) {
      expect(error).toBeInstanceOf(OptimError);
      errors.push((error as OptimError).code);
    }
    norms.push(optimizer.lastGradNorm);
  }
  const buffers = params.flatMap((p) => {
    const state = optimizer.getState(p);
    const slots = Object.keys(state).filter((k) => state[k] instanceof Float32Array).sort();
    return [p.data.slice(), ...slots.map((k) => (state[k] as Float32Array).slice())];
  });
  const result = { buffers, norms, errors, skipped: optimizer.skippedSteps };
  engine.dispose();
  return result;
}

/**
 * Each backend's threaded runs against its own one-thread run: wasm-simd on 2–4 threads with the
 * workers running their shares ("workers": a run that passes proves they ran, or it would hang),
 * with the calling thread taking every share back, and racing as in use; the scalar build on 3.
 */
const THREADED: Config[] = [
  ...[2, 3, 4].map((threads) => ({ backend: BACKENDS[0], threads, shares: "workers" as const })),
  { backend: BACKENDS[0], threads: 3, shares: "caller" },
  { backend: BACKENDS[0], threads: 2, shares: "race" },
  ...BACKENDS.filter((b) => b === "wasm" && b !== BACKENDS[0]).map((backend) => ({ backend, threads: 3, shares: "workers" as const })),
];

type Result = Awaited<ReturnType<typeof run>>;

function expectSame(other: Result, reference: Result, what: string): void {
  expect(other.norms, what).toEqual(reference.norms);
  expect(other.errors, what).toEqual(reference.errors);
  expect(other.skipped, what).toBe(reference.skipped);
  other.buffers.forEach((buffer, i) => expectBitEqual(buffer, reference.buffers[i], `${what}, buffer ${i}`));
}

describe.each(FAMILIES)("%s", (_, Family) => {
  it.each(MODES)("$label: identical bits on 1–4 threads", async (mode) => {
    const references = new Map<BackendName, Result>();
    for (const backend of BACKENDS) references.set(backend, await run(Family, mode, { backend, threads: 1 }));
    const reference = references.get(BACKENDS[0])!;
    if (mode.poison !== undefined && mode.options.nonFinite === "throw") expect(reference.errors).toEqual(["NON_FINITE"]);
    for (const config of THREADED) {
      expectSame(await run(Family, mode, config), references.get(config.backend)!, `${config.backend} × ${config.threads} (${config.shares})`);
    }
    // Across backends with finite numbers: the js backend's norms use the same blocks. (A NaN's
    // sign bit may differ between the SIMD and scalar builds; that is the kernels' business, not threads'.)
    if (mode.poison === undefined || mode.options.nonFinite !== undefined) {
      for (const backend of BACKENDS.slice(1)) expectSame(references.get(backend)!, reference, backend);
    }
  });
});

describe("norms in fixed blocks", () => {
  it("threads are used at this size", () => {
    expect(TOTAL).toBeGreaterThan(4 * MIN_FLOATS_PER_THREAD);
    expect(TOTAL).toBeGreaterThan(6 * REDUCE_BLOCK);
  });

  it("clipGradNorm and clipGradValue give the same norms and gradients on 1–4 threads", async () => {
    const results: { norms: number[]; grads: Float32Array[] }[] = [];
    for (const threads of [1, 2, 3, 4]) {
      const engine = await createEngine({ backend: BACKENDS[0], threads });
      expect(engine.threads).toBe(threads);
      if (threads > 1) poolOf(engine)!.sharesForTest = "workers";
      const params: Param[] = LENGTHS.map((n, k) => engine.param(n));
      params.forEach((p, k) => p.setGrad(uniform(p.length, 40 + k, -3, 3)));
      const norms = [clipGradNorm(params, 100, Infinity), clipGradNorm(params, 50)];
      clipGradValue(params, 0.25);
      norms.push(clipGradNorm(params, 1));
      results.push({ norms, grads: params.map((p) => p.grad.slice()) });
      engine.dispose();
    }
    for (const other of results.slice(1)) {
      expect(other.norms).toEqual(results[0].norms);
      other.grads.forEach((g, i) => expectBitEqual(g, results[0].grads[i], `gradient ${i}`));
    }
  });

  it("the 2-norm of a long run is the sum of its blocks' sums of squares, in block order", async () => {
    const engine = await createEngine({ backend: BACKENDS[0], threads: 3 });
    const n = 5 * REDUCE_BLOCK + 7;
    const p = engine.param(n);
    p.setGrad(uniform(n, 7, -1, 1));
    // Each block's Σx² from a one-block call (one kernel call, the pre-threads definition), summed in order.
    const kernels = engine.kernels;
    let expected = 0;
    for (let at = 0; at < n; at += REDUCE_BLOCK) expected += kernels.sumSquares(p.gradOffset + 4 * at, Math.min(REDUCE_BLOCK, n - at));
    expect(kernels.sumSquares(p.gradOffset, n)).toBe(expected);
    expect(clipGradNorm([p], Infinity)).toBe(Math.sqrt(expected));
    engine.dispose();
  });
});
