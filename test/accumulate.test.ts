// GradientAccumulation: the mean gradient of k micro-batches against float64 references, clipping of
// the mean, the non-finite policy per micro-batch, a refused inner step undone, state, lifetimes.
import { describe, expect, it } from "vitest";
import { Adam, GradientAccumulation, LBFGS, SGD, type BackendName, type Engine, type Optimizer, type Param } from "../src/index.js";
import { BACKENDS, engineFor, SIZES } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import type { Reference } from "./helpers/reference.js";
import { adamReference } from "./reference/adam.js";
import { sgdReference } from "./reference/sgd.js";

interface Case {
  name: string;
  k: number;
  make(params: Param[]): Optimizer<any>;
  reference(n: number): Reference;
  /** The inner optimizer's maxGradNorm (Infinity: none). */
  maxNorm: number;
}

const CASES: Case[] = [
  { name: "Adam k=1", k: 1, make: (p) => new Adam(p, { lr: 0.01 }), reference: (n) => adamReference(n, { lr: 0.01 }, false), maxNorm: Infinity },
  { name: "Adam k=3", k: 3, make: (p) => new Adam(p, { lr: 0.01 }), reference: (n) => adamReference(n, { lr: 0.01 }, false), maxNorm: Infinity },
  { name: "Adam k=4, maxGradNorm 0.2", k: 4, make: (p) => new Adam(p, { lr: 0.01, maxGradNorm: 0.2 }), reference: (n) => adamReference(n, { lr: 0.01 }, false), maxNorm: 0.2 },
  { name: "SGD momentum k=2", k: 2, make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), reference: (n) => sgdReference(n, { lr: 0.1, momentum: 0.9 }), maxNorm: Infinity },
];

function grads(params: Param[], seed: number): Float32Array[] {
  return params.map((p, j) => uniform(p.length, seed * 7 + j, -2, 2));
}

function setGrads(params: Param[], g: Float32Array[]): void {
  params.forEach((p, j) => p.setGrad(g[j]));
}

function join(params: Param[], pick: (p: Param) => ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (const p of params) out.push(...Array.from(pick(p)));
  return Float64Array.from(out);
}

function twoTensors(engine: Engine, n: number): Param[] {
  const initial = uniform(n, 3 + n);
  const split = Math.floor(n / 3);
  return [engine.param(initial.slice(0, split)), engine.param(initial.slice(split))];
}

describe("GradientAccumulation matches a float64 reference on the mean gradient", () => {
  for (const backend of BACKENDS) {
    for (const c of CASES) {
      it.each(SIZES.filter((n) => n <= 1025))(`${backend} ${c.name} n=%i`, async (n) => {
        const engine = await engineFor(backend);
        const params = twoTensors(engine, n);
        const acc = new GradientAccumulation(c.make(params), { k: c.k });
        const ref = c.reference(n);
        const p64 = join(params, (p) => p.data);
        const sum = new Float64Array(n);
        let t = 0;
        for (let micro = 1; micro <= 3 * c.k + 1; micro++) {
          const g = grads(params, micro + n);
          setGrads(params, g);
          acc.step();
          const flat = Float64Array.from(g.flatMap((x) => Array.from(x)));
          for (let i = 0; i < n; i++) sum[i] += flat[i];
          expect(acc.updated).toBe(micro % c.k === 0);
          if (micro % c.k !== 0) continue;
          const mean = sum.map((s) => s / c.k);
          const norm = Math.sqrt(mean.reduce((total, x) => total + x * x, 0));
          const coef = Math.min(1, c.maxNorm / (norm + 1e-6));
          ref.step(++t, p64, mean.map((x) => x * coef));
          sum.fill(0);
        }
        expectClose(join(params, (p) => p.data), p64, 2e-5, 2e-6, "params");
        expect(acc.microStep).toBe(c.k === 1 ? 0 : 1);
        if (c.k > 1) expectClose(join(params, (p) => acc.accumulator(p)), sum, 1e-6, 1e-7, "accumulator (one micro-batch)");
        engine.dispose();
      });
    }
  }
});

/** Runs k micro-batches per update for `updates` updates on a backend; returns the params, the optimizer's state and the accumulator. */
async function trajectory(backend: BackendName, k: number, poison: (micro: number, g: Float32Array[]) => void, nonFinite: "proceed" | "skip" = "proceed", skipMicro = -1): Promise<Float32Array[]> {
  const engine = await engineFor(backend);
  const params = twoTensors(engine, 23);
  const opt = new Adam(params, { lr: 0.01, nonFinite });
  const acc = new GradientAccumulation(opt, { k });
  for (let micro = 1; micro <= 3 * k + 2; micro++) {
    if (micro === skipMicro) continue;
    const g = grads(params, micro);
    poison(micro, g);
    setGrads(params, g);
    acc.step();
  }
  const out = [...params.map((p) => p.data.slice()), ...params.map((p) => opt.getState(p).expAvgSq.slice()), ...params.map((p) => acc.accumulator(p).slice())];
  engine.dispose();
  return out;
}

describe("GradientAccumulation: bits and special values", () => {
  it("k = 1 is the optimizer alone, bit for bit", async () => {
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const a = twoTensors(engine, 17), b = twoTensors(engine, 17);
      const acc = new GradientAccumulation(new Adam(a, { lr: 0.01 }), { k: 1 });
      const plain = new Adam(b, { lr: 0.01 });
      for (let t = 1; t <= 4; t++) {
        const g = grads(a, t);
        setGrads(a, g);
        setGrads(b, g);
        acc.step();
        plain.step();
      }
      a.forEach((p, j) => expectBitEqual(p.data, b[j].data, backend));
      engine.dispose();
    }
  });

  it("every backend gives the same bits with ±0, denormals, huge values, ±∞ and NaN in the micro-batches", async () => {
    const poison = (micro: number, g: Float32Array[]) => {
      g[1].set([0, -0, 1e-45, -1e-45, 3e38, -3e38], 0);
      if (micro === 5) g[1][7] = Infinity;
      if (micro === 6) g[0][1] = NaN;
    };
    const results = await Promise.all(BACKENDS.map((backend) => trajectory(backend, 3, poison)));
    for (const r of results.slice(1)) r.forEach((x, j) => expectBitEqual(x, results[0][j], `block ${j}`));
  });

  it('nonFinite "skip": a non-finite micro-batch does not count, as if it never happened', async () => {
    const bad = (micro: number, g: Float32Array[]) => {
      if (micro === 4) g[0][0] = NaN;
    };
    const skipped = await trajectory(BACKENDS[0], 3, bad, "skip");
    const without = await trajectory(BACKENDS[0], 3, () => {}, "skip", 4);
    // The run that skipped micro-batch 4 took one more micro-batch in its place (the loop's last).
    const shifted = await trajectory(BACKENDS[0], 3, () => {}, "skip");
    skipped.forEach((x, j) => expectBitEqual(x, without[j], `block ${j}`));
    expect(shifted.some((x, j) => !x.every((v, i) => Object.is(v, without[j][i])))).toBe(true);
  });
});

function snapshot(params: Param[], opt: Optimizer<any>, acc: GradientAccumulation): Float32Array[] {
  return [...params.map((p) => p.data.slice()), ...params.map((p) => p.grad.slice()), ...params.map((p) => acc.accumulator(p).slice()), ...params.map((p) => (opt.getState(p).expAvg as Float32Array).slice())];
}

function expectSame(a: Float32Array[], b: Float32Array[]): void {
  a.forEach((x, j) => expectBitEqual(x, b[j], `block ${j}`));
}

describe("GradientAccumulation: a call that throws changes nothing", () => {
  it.each(BACKENDS)('nonFinite "throw": NON_FINITE on the micro-batch (%s)', async (backend) => {
    const engine = await engineFor(backend);
    const params = twoTensors(engine, 10);
    const opt = new Adam(params, { lr: 0.01, nonFinite: "throw" });
    const acc = new GradientAccumulation(opt, { k: 2 });
    setGrads(params, grads(params, 1));
    acc.step();
    const g = grads(params, 2);
    g[1][3] = -Infinity;
    setGrads(params, g);
    const before = snapshot(params, opt, acc);
    expectOptimError(() => acc.step(), "NON_FINITE");
    expectSame(snapshot(params, opt, acc), before);
    expect(acc.microStep).toBe(1);
    engine.dispose();
  });

  it.each(BACKENDS)("a refused inner step puts the raw gradients back (%s)", async (backend) => {
    const engine = await engineFor(backend);
    const run = async (fail: boolean) => {
      const params = twoTensors(engine, 13);
      const opt = new Adam(params, { lr: 0.01 });
      const acc = new GradientAccumulation(opt, { k: 3 });
      for (let micro = 1; micro <= 3; micro++) {
        setGrads(params, grads(params, micro));
        if (micro === 3 && fail) {
          opt.paramGroups[0].lr = -1;
          const before = snapshot(params, opt, acc);
          expectOptimError(() => acc.step(), "INVALID_HYPERPARAMETER");
          expectSame(snapshot(params, opt, acc), before);
          expect(acc.microStep).toBe(2);
          opt.paramGroups[0].lr = 0.01;
        }
        acc.step();
      }
      return params.map((p) => p.data.slice());
    };
    const failed = await run(true), clean = await run(false);
    failed.forEach((x, j) => expectBitEqual(x, clean[j], "params"));
    engine.dispose();
  });
});

describe("GradientAccumulation around an optimizer whose step needs a closure", () => {
  it("L-BFGS refuses the bare step: INVALID_ARGUMENT, the gradients and the count as they were", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = twoTensors(engine, 9);
    const acc = new GradientAccumulation(new LBFGS(params), { k: 2 });
    setGrads(params, grads(params, 1));
    acc.step();
    const g = grads(params, 2);
    g[0][0] = NaN; // nonFinite "proceed": the raw NaN (any payload) comes back as it was
    setGrads(params, g);
    const before = params.map((p) => p.grad.slice());
    expectOptimError(() => acc.step(), "INVALID_ARGUMENT");
    params.forEach((p, j) => expectBitEqual(p.grad, before[j], "gradients"));
    expect(acc.microStep).toBe(1);
    engine.dispose();
  });
});

describe("GradientAccumulation state", () => {
  it("saves mid-cycle and loads on another backend; the runs continue identically", async () => {
    const a = await engineFor(BACKENDS[0]), b = await engineFor("js");
    const pa = twoTensors(a, 21), pb = twoTensors(b, 21);
    const oa = new Adam(pa, { lr: 0.01, nonFinite: "skip" }), ob = new Adam(pb, { lr: 0.01, nonFinite: "skip" });
    const accA = new GradientAccumulation(oa, { k: 4 }), accB = new GradientAccumulation(ob, { k: 4 });
    for (let micro = 1; micro <= 6; micro++) {
      const g = grads(pa, micro);
      if (micro === 2) g[0][0] = NaN;
      setGrads(pa, g);
      accA.step();
    }
    pb.forEach((p, j) => p.setData(pa[j].data));
    ob.loadState(oa.saveState());
    accB.loadState(accA.saveState());
    expect([accB.microStep, accB.skippedMicroBatches]).toEqual([1, 1]);
    for (let micro = 7; micro <= 12; micro++) {
      setGrads(pa, grads(pa, micro));
      setGrads(pb, grads(pb, micro));
      accA.step();
      accB.step();
    }
    pa.forEach((p, j) => expectBitEqual(pb[j].data, p.data, "params"));
    a.dispose();
    b.dispose();
  });

  it("a load that fails changes nothing", async () => {
    const engine = await engineFor("js");
    const params = twoTensors(engine, 9);
    const opt = new SGD(params, { lr: 0.1 });
    const acc = new GradientAccumulation(opt, { k: 3 });
    setGrads(params, grads(params, 1));
    acc.step();
    const bytes = acc.saveState();
    setGrads(params, grads(params, 2));
    acc.step();
    const look = () => [...params.map((p) => p.data.slice()), ...params.map((p) => p.grad.slice()), ...params.map((p) => acc.accumulator(p).slice())];
    const before = look();
    const corrupt = bytes.slice();
    corrupt[30] ^= 4;
    expectOptimError(() => acc.loadState(corrupt), "STATE_INCOMPATIBLE");
    expectOptimError(() => acc.loadState(new GradientAccumulation(opt, { k: 2 }).saveState()), "STATE_INCOMPATIBLE");
    expectOptimError(() => acc.loadState(opt.saveState()), "STATE_INCOMPATIBLE");
    expect(acc.microStep).toBe(2);
    expectSame(look(), before);
    acc.loadState(bytes);
    expect(acc.microStep).toBe(1);
    engine.dispose();
  });
});

describe("GradientAccumulation: bad input and lifetimes", () => {
  it("refuses bad options and arguments with codes", async () => {
    const engine = await engineFor("js");
    const opt = new SGD(twoTensors(engine, 5));
    expectOptimError(() => new GradientAccumulation(opt, { k: 0 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new GradientAccumulation(opt, { k: 2.5 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new GradientAccumulation(opt, { every: 2 } as object), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new GradientAccumulation(null), "INVALID_ARGUMENT");
    const acc = new GradientAccumulation(opt, { k: 2 });
    expectOptimError(() => acc.step(3 as unknown as () => number), "INVALID_ARGUMENT");
    expect(acc.step(() => 1.5)).toBe(1.5);
    expectOptimError(() => acc.step(() => acc.step() ?? 0), "INVALID_ARGUMENT");
    expect(acc.microStep).toBe(1);
    engine.dispose();
  });

  it("is DISPOSED after its own or its optimizer's dispose", async () => {
    const engine = await engineFor("js");
    const opt = new SGD(twoTensors(engine, 5));
    const acc = new GradientAccumulation(opt, { k: 2 });
    acc.dispose();
    acc.dispose();
    expectOptimError(() => acc.step(), "DISPOSED");
    expectOptimError(() => acc.saveState(), "DISPOSED");
    const acc2 = new GradientAccumulation(opt, { k: 2 });
    opt.dispose();
    expectOptimError(() => acc2.step(), "DISPOSED");
    expectOptimError(() => acc2.zeroGrad(), "DISPOSED");
    engine.dispose();
  });
});
