import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Adadelta, Adafactor, Adagrad, Adam, AdamW, Adamax, ASGD, Lion, NAdam, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, clipGradNorm, clipGradValue,
  type BackendName, type Engine, type Optimizer, type Param,
} from "../../src/index.js";
import { BACKENDS, engineFor } from "../helpers/backends.js";
import { FAMILIES } from "../helpers/families.js";
import { rng } from "../helpers/random.js";

// Issue 10, item 6: under the default nonFinite: "proceed", every backend must store the same bits
// for every input, NaN payloads and sign bits included. The buffers are compared as Uint32 views.

/** The special float32 inputs, by bit pattern (17 of them, a prime: see `injected`). */
const SPECIALS: readonly (readonly [string, number])[] = [
  ["+0", 0x00000000], ["-0", 0x80000000],
  ["+min denormal", 0x00000001], ["-min denormal", 0x80000001],
  ["+max denormal", 0x007fffff], ["-max denormal", 0x807fffff],
  ["+FLT_MIN", 0x00800000], ["-FLT_MIN", 0x80800000],
  ["+max float", 0x7f7fffff], ["-max float", 0xff7fffff],
  ["+Inf", 0x7f800000], ["-Inf", 0xff800000],
  ["NaN", 0x7fc00000], ["-NaN", 0xffc00000],
  ["NaN payload", 0x7fc12345], ["-NaN payload", 0xffd00001],
  ["signalling NaN", 0x7f800001],
];
const NAME_OF = new Map(SPECIALS.map(([name, bits]) => [bits, name]));

/** One optimizer configuration: every family, with the options that change its kernel's path. */
type Case = readonly [string, (params: Param[]) => Optimizer<any>];

const CASES: readonly Case[] = [
  ["SGD", (p) => new SGD(p, { lr: 0.1 })],
  ["SGD weightDecay maximize", (p) => new SGD(p, { lr: 0.1, weightDecay: 0.01, maximize: true })],
  ["SGD momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
  ["SGD momentum dampening weightDecay", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 })],
  ["SGD nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ["SGD ema", (p) => new SGD(p, { lr: 0.1, momentum: 0.8, momentumForm: "ema" })],
  ["Adam", (p) => new Adam(p, { lr: 0.01 })],
  ["Adam weightDecay maximize", (p) => new Adam(p, { lr: 0.01, weightDecay: 0.01, maximize: true })],
  ["Adam amsgrad", (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ["Adam epsHat", (p) => new Adam(p, { lr: 0.01, eps: 1e-3, epsHat: true })],
  ["AdamW amsgrad", (p) => new AdamW(p, { lr: 0.01, amsgrad: true })],
  ["Adam betas 0 amsgrad", (p) => new Adam(p, { beta1: 0, beta2: 0, amsgrad: true })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.05, lrDecay: 0.01, weightDecay: 0.01 })],
  ["Adagrad epsInsideSqrt maximize", (p) => new Adagrad(p, { lr: 0.05, initialAccumulatorValue: 0.1, epsInsideSqrt: true, maximize: true })],
  ["RMSprop", (p) => new RMSprop(p, { lr: 0.01, weightDecay: 0.01 })],
  ["RMSprop centered", (p) => new RMSprop(p, { lr: 0.01, centered: true })],
  ["RMSprop centered momentum", (p) => new RMSprop(p, { lr: 0.01, momentum: 0.9, centered: true })],
  ["RMSprop epsInsideSqrt momentum maximize", (p) => new RMSprop(p, { lr: 0.01, eps: 1e-7, epsInsideSqrt: true, momentum: 0.5, maximize: true })],
  ["Adadelta", (p) => new Adadelta(p, { weightDecay: 0.01 })],
  ["Adadelta previousSquareAvg maximize", (p) => new Adadelta(p, { lr: 0.5, previousSquareAvg: true, maximize: true })],
  // ρ = 0 or 1 makes 0·∞ = NaN in an accumulator while the parameter only moves by ±∞.
  ["Adadelta rho 0", (p) => new Adadelta(p, { rho: 0 })],
  ["Adadelta rho 1 previousSquareAvg", (p) => new Adadelta(p, { rho: 1, previousSquareAvg: true })],
  ["Rprop", (p) => new Rprop(p)],
  ["Rprop clamped maximize", (p) => new Rprop(p, { lr: 0.05, stepSizeMin: 0, stepSizeMax: 0.2, maximize: true })],
  ["Adamax", (p) => new Adamax(p, { weightDecay: 0.01 })],
  ["Adamax eps outside the max, maximize", (p) => new Adamax(p, { epsInsideMax: false, maximize: true })],
  ["Adamax betas 0", (p) => new Adamax(p, { beta1: 0, beta2: 0 })],
  ["NAdam", (p) => new NAdam(p, { weightDecay: 0.01 })],
  ["NAdam decoupled", (p) => new NAdam(p, { weightDecay: 0.01, decoupledWeightDecay: true })],
  ["RAdam", (p) => new RAdam(p, { weightDecay: 0.01 })],
  ["RAdam decoupled", (p) => new RAdam(p, { weightDecay: 0.01, decoupledWeightDecay: true })],
  ["Lion", (p) => new Lion(p)],
  ["Lion weightDecay maximize", (p) => new Lion(p, { lr: 0.01, weightDecay: 0.1, maximize: true })],
  // β2 = 0: the new m is 0·∞ = NaN where the parameter still moves by lr.
  ["Lion beta2 0", (p) => new Lion(p, { beta2: 0 })],
  ["Lion beta1 0", (p) => new Lion(p, { beta1: 0 })],
  // Vectors here (a per-element variance); matrices are covered in test/adafactor-kernels.test.ts.
  ["Adafactor", (p) => new Adafactor(p)],
  ["Adafactor weightDecay maximize eps1", (p) => new Adafactor(p, { lr: 0.1, weightDecay: 0.1, maximize: true, eps1: 1e-3 })],
  // ASGD copies the parameters into ax while μ = 1 (t0 large), and averages after (t0 = 0: from step 2).
  ["ASGD", (p) => new ASGD(p, { weightDecay: 0.01, maximize: true })],
  ["ASGD averaging", (p) => new ASGD(p, { lr: 0.05, t0: 0 })],
  // Schedule-free steps take both lerp forms (c = 1/2 at step 2, then c < 1/2).
  ["ScheduleFreeSGD", (p) => new ScheduleFreeSGD(p, { lr: 0.1, weightDecay: 0.01 })],
  ["ScheduleFreeSGD warmup", (p) => new ScheduleFreeSGD(p, { lr: 0.1, momentum: 0.3, warmupSteps: 3 })],
  ["ScheduleFreeAdamW", (p) => new ScheduleFreeAdamW(p, { weightDecay: 0.01 })],
  ["ScheduleFreeAdamW beta2 0", (p) => new ScheduleFreeAdamW(p, { beta2: 0, warmupSteps: 2 })],
  // The clip path: the norm pass, then the coefficient folded into gScale (NaN or 0 on non-finite norms).
  ["Adam maxGradNorm", (p) => new Adam(p, { lr: 0.01, maxGradNorm: 1 })],
  ["SGD momentum maxGradNorm ∞-norm", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, maxGradNorm: 0.5, gradNormType: Infinity })],
  ["Lion maxGradNorm", (p) => new Lion(p, { maxGradNorm: 2 })],
  ["Adafactor maxGradNorm", (p) => new Adafactor(p, { maxGradNorm: 2 })],
];

/** Lengths with only a scalar tail (1, 3), only the SIMD body (4), and both (5, 17). */
const SIZES = [1, 3, 4, 5, 17] as const;
/** Enough steps for each special value to visit each position of each buffer (see `injected`). */
const STEPS = 3 * SPECIALS.length;

const hex = (bits: number) => "0x" + (bits >>> 0).toString(16).padStart(8, "0");
const describeBits = (bits: number) => NAME_OF.get(bits) ?? hex(bits);

function bitsOf(view: Float32Array): Uint32Array {
  return new Uint32Array(view.buffer, view.byteOffset, view.length);
}

/** One optimizer over one param on one backend. */
interface Run {
  readonly backend: BackendName;
  readonly engine: Engine;
  readonly param: Param;
  readonly optimizer: Optimizer<any>;
}

/** [name, bits] of the param, its gradient and each state buffer (sorted by name), read live. */
function buffers(run: Run): [string, Uint32Array][] {
  const state = run.optimizer.getState(run.param);
  const slots = Object.keys(state).filter((k) => state[k] instanceof Float32Array).sort();
  return [
    ["param", bitsOf(run.param.data)],
    ["grad", bitsOf(run.param.grad)],
    ...slots.map((k): [string, Uint32Array] => [k, bitsOf(state[k] as Float32Array)]),
  ];
}

function snapshot(run: Run): [string, Uint32Array][] {
  return buffers(run).map(([name, bits]) => [name, bits.slice()]);
}

/**
 * Every difference between the backends' buffers, described with the inputs of the element before
 * the call that produced it (`before`, the first backend's buffers).
 */
function differences(runs: readonly Run[], before: [string, Uint32Array][], where: string): string[] {
  const found: string[] = [];
  const [first, ...others] = runs.map(buffers);
  for (const other of others) expect(other.map(([name]) => name), `${where}: state buffers`).toEqual(first.map(([name]) => name));
  first.forEach(([name, bits], b) => {
    for (let i = 0; i < bits.length; i++) {
      if (others.every((other) => other[b][1][i] === bits[i])) continue;
      const got = runs.map((run, r) => `${run.backend} ${hex(r === 0 ? bits[i] : others[r - 1][b][1][i])}`).join(", ");
      const inputs = before.map(([n, v]) => `${n}=${describeBits(v[i])}`).join(" ");
      found.push(`${where}: ${name}[${i}]: ${got}; inputs ${inputs}`);
    }
  });
  return found;
}

/** The optimizer `make` builds over one param of `size` floats, on each engine. */
function runsOn(engines: readonly Engine[], make: Case[1], size: number): Run[] {
  return engines.map((engine, e) => {
    const param = engine.param(size);
    return { backend: BACKENDS[e], engine, param, optimizer: make([param]) };
  });
}

/**
 * The bits the table puts at element i of buffer b before step t, or undefined to keep the value
 * there (one step in three, so special values also meet evolved state). Buffer b cycles through
 * the table with stride 2b + 1, prime to its length 17; t mod 3 and t mod 17 together run through
 * every pair in 51 steps, so each special value lands on each element of each buffer, and the
 * pairs across buffers vary with t.
 */
function injected(b: number, i: number, t: number): number | undefined {
  if ((i + t + b) % 3 === 0) return undefined;
  return SPECIALS[(i * 5 + t * (2 * b + 1) + b) % SPECIALS.length][1];
}

/**
 * The table over one case and size: a clean first step with finite values (so every state buffer
 * exists and can be injected into), then STEPS steps with injected values, the backends compared
 * after each. Returns the differences and the number of elements compared.
 */
function runTable(runs: readonly Run[], name: string): { found: string[]; compared: number } {
  const size = runs[0].param.length;
  const next = rng(size);
  const data = Float32Array.from({ length: size }, () => next() - 0.5);
  const grad = Float32Array.from({ length: size }, () => next() - 0.5);
  for (const run of runs) {
    run.param.setData(data);
    run.param.setGrad(grad);
    run.optimizer.step();
  }
  const found: string[] = [];
  let compared = 0;
  for (let t = 1; t <= STEPS; t++) {
    const fresh = Array.from({ length: size }, () => next() * 2 - 1);
    for (const run of runs) {
      buffers(run).forEach(([buffer, bits], b) => {
        for (let i = 0; i < size; i++) {
          const value = injected(b, i, t);
          if (value !== undefined) bits[i] = value;
          else if (buffer === "grad") run.param.grad[i] = fresh[i];
        }
      });
    }
    const before = snapshot(runs[0]);
    for (const run of runs) run.optimizer.step();
    found.push(...differences(runs, before, `${name} n=${size} step ${t}`));
    compared += before.reduce((sum, [, bits]) => sum + bits.length, 0);
  }
  return { found, compared };
}

/** One engine per backend for the enclosing describe block (its kernels stay warm across tests). */
function sharedEngines(): Engine[] {
  const engines: Engine[] = [];
  beforeAll(async () => {
    engines.push(...(await Promise.all(BACKENDS.map(engineFor))));
  });
  afterAll(() => {
    for (const engine of engines.splice(0)) engine.dispose();
  });
  return engines;
}

function expectNone(found: readonly string[]): void {
  // The first few differences name the defect; the count says how widespread it is.
  if (found.length > 0) expect.fail(`${found.length} differences, first:\n${found.slice(0, 8).join("\n")}`);
}

let compared = 0;
afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`special-values: ${compared} element comparisons across ${BACKENDS.join(", ")}`);
});

describe("special values in gradients, params and state give identical bits on every backend", () => {
  it("covers every kernel-step family the package exports", async () => {
    const engine = await engineFor("js");
    const covered = new Set(CASES.map(([, make]) => make([engine.param(1)]).constructor));
    engine.dispose();
    for (const [name, family] of FAMILIES) expect(covered.has(family), name).toBe(true);
  });

  describe.each(CASES)("%s", (name, make) => {
    it.each(SIZES)(`n = %i, ${STEPS} steps`, async (size) => {
      const engines = await Promise.all(BACKENDS.map(engineFor));
      try {
        const result = runTable(runsOn(engines, make, size), name);
        compared += result.compared;
        expectNone(result.found);
      } finally {
        for (const engine of engines) engine.dispose();
      }
    });
  });
});

describe("one special value at a time, amid ordinary values", () => {
  // In the dense table nearly every step has a NaN somewhere; this one also checks a NaN (or an
  // infinity that makes one) that is alone in the call, e.g. Lion's new m = 0·∞ with β2 = 0.
  const engines = sharedEngines();
  const N = 5; // a SIMD vector and a one-float tail

  it.each(CASES)("%s", (name, make) => {
    const runs = runsOn(engines, make, N);
    const found: string[] = [];
    try {
      runs.forEach((run) => run.optimizer.step()); // creates the state buffers
      const count = buffers(runs[0]).length;
      for (let b = 0; b < count; b++) {
        for (let i = 0; i < N; i++) {
          for (const [special, bits] of SPECIALS) {
            const next = rng(1 + b * N + i);
            const ordinary = Array.from({ length: count * N }, () => Math.fround(0.01 + next()));
            for (const run of runs) {
              buffers(run).forEach(([, view], k) => {
                for (let j = 0; j < N; j++) view[j] = new Uint32Array(new Float32Array([ordinary[k * N + j]]).buffer)[0];
                if (k === b) view[i] = bits;
              });
            }
            const before = snapshot(runs[0]);
            for (const run of runs) run.optimizer.step();
            found.push(...differences(runs, before, `${name}: ${special} alone in ${before[b][0]}[${i}]`));
            compared += count * N;
          }
        }
      }
    } finally {
      for (const run of runs) {
        run.optimizer.dispose();
        run.param.dispose();
      }
    }
    expectNone(found);
  });
});

describe("the same table once the kernels are hot (optimizing JIT tiers)", () => {
  // A JIT may commute the operands of a + b or a·b: with two NaN operands that changes which
  // payload survives. The table above runs mostly in the baseline tiers; this one warms them up.
  const engines = sharedEngines();

  it.each(CASES)("%s", (name, make) => {
    for (const engine of engines) {
      const warm = engine.param(new Float32Array(4099).fill(0.5));
      const optimizer = make([warm]);
      warm.grad.fill(0.25);
      for (let t = 0; t < 100; t++) optimizer.step();
      optimizer.dispose();
      warm.dispose();
    }
    const found: string[] = [];
    for (const size of SIZES) {
      const runs = runsOn(engines, make, size);
      const result = runTable(runs, `${name} (hot)`);
      for (const run of runs) {
        run.optimizer.dispose();
        run.param.dispose();
      }
      found.push(...result.found);
      compared += result.compared;
    }
    expectNone(found);
  });
});

describe("the vector ops give identical bits and norms on every backend", () => {
  // fill (zeroGrad, state initialisation), the norm passes (clipping, the non-finite guard) and the
  // two in-place gradient ops, called directly with special values at every position.
  const LENGTHS = [1, 3, 4, 5, 8, 9, 17, 33];
  const engines = sharedEngines();

  /** One param per engine whose gradient holds the table rotated by r (two elements in three). */
  function gradients(n: number, r: number): Param[] {
    return engines.map((engine) => {
      const param = engine.param(n);
      const bits = bitsOf(param.grad);
      for (let i = 0; i < n; i++) bits[i] = injected(0, i, r) ?? 0x3fc00000; // 1.5 where not injected
      return param;
    });
  }

  function expectSameBits(params: readonly Param[], what: string): void {
    const [first, ...others] = params.map((p) => bitsOf(p.grad));
    for (const [k, other] of others.entries()) {
      for (let i = 0; i < first.length; i++) {
        if (other[i] !== first[i]) expect.fail(`${what}[${i}]: ${BACKENDS[0]} ${hex(first[i])}, ${BACKENDS[k + 1]} ${hex(other[i])}`);
      }
    }
    compared += first.length * others.length;
  }

  function release(params: readonly Param[]): void {
    for (const param of params) param.dispose();
  }

  it.each(LENGTHS)("fill, n = %i", (n) => {
    const values = [...SPECIALS.map(([, bits]) => new Float32Array(new Uint32Array([bits]).buffer)[0]), 1.5, -Math.PI];
    for (const value of values) {
      const params = gradients(n, 0);
      params.forEach((param, e) => engines[e].kernels.fill(param.gradOffset, n, value));
      expectSameBits(params, `fill(${value})`);
      release(params);
    }
  });

  it.each(LENGTHS)("sumSquares and maxAbs, n = %i", (n) => {
    for (let r = 0; r < SPECIALS.length; r++) {
      const params = gradients(n, r);
      const sums = params.map((param, e) => engines[e].kernels.sumSquares(param.gradOffset, n));
      const maxima = params.map((param, e) => engines[e].kernels.maxAbs(param.gradOffset, n));
      for (const [what, results] of [["sumSquares", sums], ["maxAbs", maxima]] as const) {
        for (const result of results.slice(1)) expect(Object.is(result, results[0]), `${what}, rotation ${r}: ${results.join(", ")}`).toBe(true);
      }
      release(params);
    }
  });

  it.each(LENGTHS)("scale and clamp, n = %i", (n) => {
    const factors = [0.5, 0, -0, 1e-45, 3.4e38, Infinity, -Infinity, NaN];
    const bounds = [0, 1e-45, 1, 3.4e38, Infinity];
    for (let r = 0; r < SPECIALS.length; r++) {
      for (const factor of factors) {
        const params = gradients(n, r);
        params.forEach((param, e) => engines[e].kernels.scale(param.gradOffset, n, factor));
        expectSameBits(params, `scale by ${factor}, rotation ${r}`);
        release(params);
      }
      for (const bound of bounds) {
        const params = gradients(n, r);
        params.forEach((param, e) => engines[e].kernels.clamp(param.gradOffset, n, -bound, bound));
        expectSameBits(params, `clamp to ±${bound}, rotation ${r}`);
        release(params);
      }
    }
  });

  it.each(LENGTHS)("clipGradNorm and clipGradValue, n = %i", (n) => {
    for (let r = 0; r < SPECIALS.length; r++) {
      for (const normType of [2, Infinity] as const) {
        const params = gradients(n, r);
        const totals = params.map((param) => clipGradNorm([param], 1, normType));
        for (const total of totals.slice(1)) expect(Object.is(total, totals[0]), `norm ${normType}: ${totals.join(", ")}`).toBe(true);
        expectSameBits(params, `clipGradNorm(${normType}), rotation ${r}`);
        release(params);
      }
      const params = gradients(n, r);
      for (const param of params) clipGradValue([param], 0.5);
      expectSameBits(params, `clipGradValue, rotation ${r}`);
      release(params);
    }
  });
});

describe("property: random call sequences with random special values, compared after every call", () => {
  const engines = sharedEngines();

  // Any float32 bit pattern (random NaN payloads, denormals, huge and tiny values), weighted
  // towards the special values of the table.
  const bitsArb = fc.oneof(fc.constantFrom(...SPECIALS.map(([, bits]) => bits)), fc.integer({ min: 0, max: 0xffffffff }));
  const command = fc.oneof(
    fc.record({ kind: fc.constant("inject" as const), buffer: fc.nat(), index: fc.nat(), bits: bitsArb }),
    fc.record({ kind: fc.constant("fresh gradient" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("step" as const) }),
    fc.record({ kind: fc.constant("clipGradValue" as const), clip: fc.constantFrom(0, 1e-45, 0.5, 3.4e38, Infinity) }),
    fc.record({ kind: fc.constant("clipGradNorm" as const), maxNorm: fc.constantFrom(0, 0.5, 1e30, Infinity), normType: fc.constantFrom(2, Infinity) }),
    fc.record({ kind: fc.constant("zeroGrad" as const) }),
  );
  type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

  function apply(runs: readonly Run[], c: Command): void {
    for (const run of runs) {
      if (c.kind === "inject") {
        const all = buffers(run);
        const [, bits] = all[c.buffer % all.length];
        bits[c.index % bits.length] = c.bits;
      } else if (c.kind === "fresh gradient") {
        const next = rng(c.seed);
        run.param.grad.forEach((_, i, grad) => (grad[i] = next() * 4 - 2));
      } else if (c.kind === "step") run.optimizer.step();
      else if (c.kind === "clipGradValue") clipGradValue([run.param], c.clip);
      else if (c.kind === "clipGradNorm") clipGradNorm([run.param], c.maxNorm, c.normType);
      else run.optimizer.zeroGrad();
    }
  }

  it("holds for every family", () => {
    let calls = 0;
    fc.assert(
      fc.property(fc.nat(CASES.length - 1), fc.constantFrom(...SIZES), fc.array(command, { minLength: 1, maxLength: 40, size: "max" }), (c, size, commands) => {
        const [name, make] = CASES[c];
        const runs = runsOn(engines, make, size);
        try {
          commands.forEach((cmd, k) => {
            const before = snapshot(runs[0]);
            apply(runs, cmd);
            calls++;
            const found = differences(runs, before, `${name} n=${size} call ${k} (${JSON.stringify(cmd)})`);
            compared += before.reduce((sum, [, bits]) => sum + bits.length, 0);
            if (found.length > 0) throw new Error(found.slice(0, 4).join("\n"));
          });
        } finally {
          for (const run of runs) {
            run.optimizer.dispose();
            run.param.dispose();
          }
        }
      }),
      { numRuns: 300 },
    );
    // eslint-disable-next-line no-console
    console.log(`special-values property: 300 sequences, ${calls} calls`);
  });
});
