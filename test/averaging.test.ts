// EMA and SWA: float64 references from torch's AveragedModel and optax's ema, identical bits on every
// backend, swapIn/swapOut, saveState/loadState, dispose and bad input.
import { describe, expect, it } from "vitest";
import { createEngine, EMA, SGD, SWA, type Engine, type Param, type WeightAverage } from "../src/index.js";
import { BACKENDS, engineFor, SIZES } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";

type Make = (opt: SGD) => WeightAverage;

/** A float64 average over the parameter values seen at each update (1-based t), from the formulas. */
interface AverageReference {
  update(t: number, p: Float64Array): void;
  readonly value: Float64Array;
}

/** torch get_ema_multi_avg_fn (first update copies) or optax ema(debias=True): e_t/(1 − dᵗ). */
function emaReference(n: number, decay: number, debias: boolean, initial: Float64Array): AverageReference {
  const e = new Float64Array(n), value = Float64Array.from(initial);
  return {
    value,
    update(t, p) {
      for (let i = 0; i < n; i++) {
        if (debias) {
          e[i] = decay * e[i] + (1 - decay) * p[i];
          value[i] = e[i] / (1 - decay ** t);
        } else value[i] = t === 1 ? p[i] : decay * value[i] + (1 - decay) * p[i];
      }
    },
  };
}

/** torch AveragedModel's default avg_fn from update `start + 1` on: the plain mean of the values seen. */
function swaReference(n: number, start: number, initial: Float64Array): AverageReference {
  const sum = new Float64Array(n), value = Float64Array.from(initial);
  let count = 0;
  return {
    value,
    update(t, p) {
      if (t <= start) return;
      count++;
      for (let i = 0; i < n; i++) {
        sum[i] += p[i];
        value[i] = sum[i] / count;
      }
    },
  };
}

const CASES: { name: string; make: Make; reference: (n: number, initial: Float64Array) => AverageReference }[] = [
  { name: "EMA defaults", make: (o) => new EMA(o), reference: (n, i) => emaReference(n, 0.999, false, i) },
  { name: "EMA decay 0.7", make: (o) => new EMA(o, { decay: 0.7 }), reference: (n, i) => emaReference(n, 0.7, false, i) },
  { name: "EMA decay 0.7 debias", make: (o) => new EMA(o, { decay: 0.7, debias: true }), reference: (n, i) => emaReference(n, 0.7, true, i) },
  { name: "EMA decay 0", make: (o) => new EMA(o, { decay: 0, debias: true }), reference: (n, i) => emaReference(n, 0, true, i) },
  { name: "SWA", make: (o) => new SWA(o), reference: (n, i) => swaReference(n, 0, i) },
  { name: "SWA start 3", make: (o) => new SWA(o, { start: 3 }), reference: (n, i) => swaReference(n, 3, i) },
  { name: "SWA start 20 (never averages)", make: (o) => new SWA(o, { start: 20 }), reference: (n, i) => swaReference(n, 20, i) },
];

/** Two groups (one of two tensors), SGD with momentum: the average follows the packed layout. */
function setup(engine: Engine, n: number): { params: Param[]; opt: SGD } {
  const split = Math.floor(n / 3), rest = Math.floor(n / 2);
  const initial = uniform(n, 5 + n);
  const params = [engine.param(initial.slice(0, split)), engine.param(initial.slice(split, rest)), engine.param(initial.slice(rest))];
  const opt = new SGD([{ params: params.slice(0, 2) }, { params: params.slice(2), lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
  return { params, opt };
}

function join(params: Param[], pick: (p: Param) => ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (const p of params) out.push(...Array.from(pick(p)));
  return Float64Array.from(out);
}

function stepWith(params: Param[], opt: SGD, t: number): void {
  for (const [k, p] of params.entries()) p.setGrad(uniform(p.length, 100 * t + k));
  opt.step();
}

describe("weight averages match their float64 references", () => {
  for (const backend of BACKENDS) {
    for (const { name, make, reference } of CASES) {
      it.each(SIZES.filter((n) => n <= 1025))(`${backend} ${name} n=%i`, async (n) => {
        const engine = await engineFor(backend);
        const { params, opt } = setup(engine, n);
        const average = make(opt);
        const ref = reference(n, join(params, (p) => p.data));
        for (let t = 1; t <= 12; t++) {
          stepWith(params, opt, t);
          average.update();
          ref.update(t, join(params, (p) => p.data));
        }
        expectClose(join(params, (p) => average.average(p)), ref.value, 4e-6, 1e-6, name);
        engine.dispose();
      });
    }
  }
});

describe("weight averages: identical bits on every backend", () => {
  for (const { name, make } of CASES) {
    it(`${name}, with ±0, denormals, ±∞ and NaN among the weights`, async () => {
      const results: Float32Array[] = [];
      for (const backend of BACKENDS) {
        const engine = await engineFor(backend);
        const { params, opt } = setup(engine, 23);
        params[2].data.set([0, -0, 1e-45, -1e-45, Infinity, -Infinity, NaN, 3e38], 0);
        const average = make(opt);
        for (let t = 1; t <= 6; t++) {
          stepWith(params, opt, t);
          if (t === 3) params[0].data[0] = NaN;
          average.update();
        }
        results.push(Float32Array.from(join(params, (p) => average.average(p))));
        engine.dispose();
      }
      for (const r of results.slice(1)) expectBitEqual(r, results[0], name);
    });
  }
});

describe("swapIn / swapOut", () => {
  it.each(BACKENDS)("exchanges weights and averages exactly, and refuses steps meanwhile (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const { params, opt } = setup(engine, 17);
    const ema = new EMA(opt, { decay: 0.5 });
    for (let t = 1; t <= 3; t++) {
      stepWith(params, opt, t);
      ema.update();
    }
    new Uint32Array(params[1].data.buffer, params[1].data.byteOffset, 1)[0] = 0x7fa00001; // an odd NaN survives the round trip
    const weights = params.map((p) => p.data.slice());
    const averages = params.map((p) => ema.average(p).slice());
    ema.swapIn();
    expect(ema.isSwappedIn).toBe(true);
    params.forEach((p, k) => expectBitEqual(p.data, averages[k], "params hold the average"));
    params.forEach((p, k) => expectBitEqual(ema.average(p), weights[k], "the block holds the weights"));
    const state = opt.getState(params[0]).momentumBuffer!.slice();
    expectOptimError(() => opt.step(), "INVALID_ARGUMENT");
    expectOptimError(() => ema.update(), "INVALID_ARGUMENT");
    expectOptimError(() => ema.saveState(), "INVALID_ARGUMENT");
    expectOptimError(() => ema.swapIn(), "INVALID_ARGUMENT");
    expectOptimError(() => new SWA(opt).swapIn(), "INVALID_ARGUMENT");
    expectBitEqual(opt.getState(params[0]).momentumBuffer!, state, "a refused step changed nothing");
    params.forEach((p, k) => expectBitEqual(p.data, averages[k], "a refused step changed nothing"));
    ema.swapOut();
    expect(ema.isSwappedIn).toBe(false);
    params.forEach((p, k) => expectBitEqual(p.data, weights[k], "weights back"));
    expectOptimError(() => ema.swapOut(), "INVALID_ARGUMENT");
    params[1].data[0] = 0;
    stepWith(params, opt, 4); // stepping works again
    engine.dispose();
  });

  it("refuses to swap in when the optimizer cannot take the step guard (not extensible), with nothing changed", async () => {
    const engine = await engineFor("js");
    const { params, opt } = setup(engine, 7);
    const ema = new EMA(opt, { decay: 0.5 });
    stepWith(params, opt, 1);
    ema.update();
    stepWith(params, opt, 2);
    const weights = params.map((p) => p.data.slice());
    Object.preventExtensions(opt);
    expectOptimError(() => ema.swapIn(), "INVALID_ARGUMENT");
    expect(ema.isSwappedIn).toBe(false);
    params.forEach((p, k) => expectBitEqual(p.data, weights[k], "weights unchanged"));
    stepWith(params, opt, 3);
    engine.dispose();
  });

  it("dispose while swapped in puts the weights back and lets the optimizer step", async () => {
    const engine = await engineFor("js");
    const { params, opt } = setup(engine, 9);
    const swa = new SWA(opt);
    stepWith(params, opt, 1);
    swa.update();
    stepWith(params, opt, 2);
    const weights = params.map((p) => p.data.slice());
    swa.swapIn();
    swa.dispose();
    params.forEach((p, k) => expectBitEqual(p.data, weights[k], "weights back"));
    stepWith(params, opt, 3);
    expectOptimError(() => swa.update(), "DISPOSED");
    engine.dispose();
  });
});

describe("weight average state", () => {
  it("saves and loads across backends; later updates agree bit for bit", async () => {
    const [first, second] = [BACKENDS[0], "js" as const];
    const a = await engineFor(first), b = await engineFor(second);
    const runA = setup(a, 21), runB = setup(b, 21);
    const emaA = new EMA(runA.opt, { decay: 0.8, debias: true }), emaB = new EMA(runB.opt, { decay: 0.8, debias: true });
    for (let t = 1; t <= 4; t++) {
      stepWith(runA.params, runA.opt, t);
      emaA.update();
    }
    runB.params.forEach((p, k) => p.setData(runA.params[k].data));
    runB.opt.loadState(runA.opt.saveState());
    emaB.loadState(emaA.saveState());
    expect(emaB.updates).toBe(4);
    for (let t = 5; t <= 7; t++) {
      stepWith(runA.params, runA.opt, t);
      stepWith(runB.params, runB.opt, t);
      emaA.update();
      emaB.update();
    }
    runA.params.forEach((p, k) => expectBitEqual(emaB.average(runB.params[k]), emaA.average(p), "average"));
    a.dispose();
    b.dispose();
  });

  it("a load that fails changes nothing", async () => {
    const engine = await engineFor("js");
    const { params, opt } = setup(engine, 10);
    const swa = new SWA(opt, { start: 1 });
    for (let t = 1; t <= 3; t++) {
      stepWith(params, opt, t);
      swa.update();
    }
    const bytes = swa.saveState();
    const before = params.map((p) => swa.average(p).slice());
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 10] ^= 1;
    expectOptimError(() => swa.loadState(corrupt), "STATE_INCOMPATIBLE");
    expectOptimError(() => new SWA(opt, { start: 2 }).loadState(bytes), "STATE_INCOMPATIBLE");
    expectOptimError(() => new EMA(opt).loadState(bytes), "STATE_INCOMPATIBLE");
    expectOptimError(() => swa.loadState(opt.saveState()), "STATE_INCOMPATIBLE");
    const other = engine.param(10);
    expectOptimError(() => swa.loadState(new SWA(new SGD([other])).saveState()), "STATE_INCOMPATIBLE");
    params.forEach((p, k) => expectBitEqual(swa.average(p), before[k], "unchanged"));
    expect(swa.updates).toBe(3);
    expect(swa.averaged).toBe(2);
    engine.dispose();
  });
});

describe("weight averages: bad input and lifetimes", () => {
  it("refuses bad options with codes", async () => {
    const engine = await engineFor("js");
    const { opt } = setup(engine, 5);
    expectOptimError(() => new EMA(opt, { decay: 1 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new EMA(opt, { decay: -0.1 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new EMA(opt, { debias: 1 as unknown as boolean }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new EMA(opt, { beta: 0.9 } as object), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new SWA(opt, { start: 1.5 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new SWA(opt, null as unknown as object), "INVALID_ARGUMENT");
    expectOptimError(() => new EMA({} as SGD), "INVALID_ARGUMENT");
    engine.dispose();
  });

  it("is DISPOSED after its own, its optimizer's or a parameter's dispose; refuses a group added later", async () => {
    const engine = await engineFor("js");
    let run = setup(engine, 6);
    const ema = new EMA(run.opt);
    ema.dispose();
    ema.dispose();
    expectOptimError(() => ema.update(), "DISPOSED");
    expectOptimError(() => ema.swapIn(), "DISPOSED");
    const swa = new SWA(run.opt);
    run.opt.dispose();
    expectOptimError(() => swa.update(), "DISPOSED");
    swa.dispose();
    run = setup(engine, 6);
    const swa2 = new SWA(run.opt);
    run.params[0].dispose();
    expectOptimError(() => swa2.update(), "DISPOSED");
    run = setup(engine, 6);
    const ema2 = new EMA(run.opt);
    run.opt.addParamGroup({ params: [engine.param(3)] });
    expectOptimError(() => ema2.update(), "INVALID_ARGUMENT");
    engine.dispose();
  });

  it("allocates its averages all or none: out of memory on the second group leaves nothing behind", async () => {
    const engine = await createEngine({ backend: "js", initialBytes: 65536, maxBytes: 4 * 65536 });
    const opt = new SGD([{ params: [engine.param(6000)] }, { params: [engine.param(6000)] }]);
    const filler: number[] = [];
    for (;;) {
      try {
        filler.push(engine.heap.alloc(6000));
      } catch {
        break;
      }
    }
    engine.heap.free(filler.pop()!); // room for one group's average, not two
    const used = engine.heap.usedBytes;
    expectOptimError(() => new EMA(opt), "OUT_OF_MEMORY");
    expect(engine.heap.usedBytes).toBe(used);
    for (const offset of filler) engine.heap.free(offset);
    new EMA(opt).update();
    engine.dispose();
  });
});
