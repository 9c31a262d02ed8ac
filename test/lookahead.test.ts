// Lookahead: float64 reference (Zhang et al. 2019, Algorithm 1) around SGD and Adam, bits across
// backends, skipped inner steps, a refused step, state and lifetimes.
import { describe, expect, it } from "vitest";
import { Adam, Lookahead, SGD, type BackendName, type Engine, type LookaheadOptions, type Param } from "../src/index.js";
import { BACKENDS, engineFor, SIZES } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import type { Reference } from "./helpers/reference.js";
import { adamReference } from "./reference/adam.js";
import { sgdReference } from "./reference/sgd.js";

const CASES: { options: LookaheadOptions; adam: boolean }[] = [
  { options: {}, adam: false },
  { options: {}, adam: true },
  { options: { k: 1, alpha: 0.8 }, adam: false },
  { options: { k: 3, alpha: 0 }, adam: true },
  { options: { k: 2, alpha: 1 }, adam: false },
];

function twoTensors(engine: Engine, n: number): Param[] {
  const initial = uniform(n, 11 + n);
  const split = Math.floor(n / 2);
  return [engine.param(initial.slice(0, split)), engine.param(initial.slice(split))];
}

function join(params: Param[], pick: (p: Param) => ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (const p of params) out.push(...Array.from(pick(p)));
  return Float64Array.from(out);
}

function setGrads(params: Param[], t: number): Float64Array {
  params.forEach((p, j) => p.setGrad(uniform(p.length, 31 * t + j)));
  return join(params, (p) => p.grad);
}

describe("Lookahead matches its float64 reference", () => {
  for (const backend of BACKENDS) {
    for (const { options, adam } of CASES) {
      it.each(SIZES.filter((n) => n <= 1025))(`${backend} ${adam ? "Adam" : "SGD"} ${JSON.stringify(options)} n=%i`, async (n) => {
        const engine = await engineFor(backend);
        const params = twoTensors(engine, n);
        const inner = adam ? new Adam(params, { lr: 0.01 }) : new SGD(params, { lr: 0.1, momentum: 0.5 });
        const opt = new Lookahead(inner, options);
        const ref: Reference = adam ? adamReference(n, { lr: 0.01 }, false) : sgdReference(n, { lr: 0.1, momentum: 0.5 });
        const { k = 5, alpha = 0.5 } = options;
        const fast = join(params, (p) => p.data), slow = Float64Array.from(fast);
        for (let t = 1; t <= 12; t++) {
          const g = setGrads(params, t);
          opt.step();
          ref.step(t, fast, g);
          if (t % k !== 0) continue;
          for (let i = 0; i < n; i++) fast[i] = slow[i] = slow[i] + alpha * (fast[i] - slow[i]);
        }
        expectClose(join(params, (p) => p.data), fast, 2e-5, 2e-6, "fast");
        expectClose(join(params, (p) => opt.slow(p)), slow, 2e-5, 2e-6, "slow");
        expect(opt.stepsSinceSync).toBe(12 % k);
        engine.dispose();
      });
    }
  }
});

async function trajectory(backend: BackendName, special: boolean): Promise<Float32Array[]> {
  const engine = await engineFor(backend);
  const params = twoTensors(engine, 19);
  if (special) params[1].data.set([0, -0, 1e-45, -1e-45, 3e38, -3e38, Infinity, NaN]);
  const opt = new Lookahead(new SGD(params, { lr: 0.1 }), { k: 2, alpha: 0.3 });
  for (let t = 1; t <= 7; t++) {
    setGrads(params, t);
    if (special && t === 3) params[0].grad[2] = -Infinity;
    opt.step();
  }
  const out = [...params.map((p) => p.data.slice()), ...params.map((p) => opt.slow(p).slice())];
  engine.dispose();
  return out;
}

describe("Lookahead: bits", () => {
  it("every backend gives the same bits, with ±0, denormals, huge values, ±∞ and NaN", async () => {
    const results = await Promise.all(BACKENDS.map((backend) => trajectory(backend, true)));
    for (const r of results.slice(1)) r.forEach((x, j) => expectBitEqual(x, results[0][j], `block ${j}`));
  });

  it('an inner step skipped for a non-finite gradient (nonFinite "skip") does not count toward k', async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = twoTensors(engine, 9);
    const inner = new SGD(params, { lr: 0.1, nonFinite: "skip" });
    const opt = new Lookahead(inner, { k: 3 });
    setGrads(params, 1);
    opt.step();
    params[0].grad[0] = NaN;
    opt.step();
    expect([inner.skippedSteps, opt.stepsSinceSync]).toEqual([1, 1]);
    engine.dispose();
  });

  it("a step the optimizer refuses changes nothing, the Lookahead's count included", async () => {
    const engine = await engineFor("js");
    const params = twoTensors(engine, 9);
    const inner = new SGD(params, { lr: 0.1 });
    const opt = new Lookahead(inner, { k: 2 });
    setGrads(params, 1);
    opt.step();
    inner.paramGroups[0].lr = NaN;
    const before = [...params.map((p) => p.data.slice()), ...params.map((p) => opt.slow(p).slice())];
    expectOptimError(() => opt.step(), "INVALID_HYPERPARAMETER");
    [...params.map((p) => p.data), ...params.map((p) => opt.slow(p))].forEach((x, j) => expectBitEqual(x, before[j], `block ${j}`));
    expect(opt.stepsSinceSync).toBe(1);
    engine.dispose();
  });
});

describe("Lookahead state", () => {
  it("saves and loads across backends; the runs continue identically", async () => {
    const a = await engineFor(BACKENDS[0]), b = await engineFor("js");
    const pa = twoTensors(a, 17), pb = twoTensors(b, 17);
    const la = new Lookahead(new Adam(pa, { lr: 0.01 }), { k: 4 }), lb = new Lookahead(new Adam(pb, { lr: 0.01 }), { k: 4 });
    for (let t = 1; t <= 6; t++) {
      setGrads(pa, t);
      la.step();
    }
    pb.forEach((p, j) => p.setData(pa[j].data));
    lb.optimizer.loadState(la.optimizer.saveState());
    lb.loadState(la.saveState());
    expect(lb.stepsSinceSync).toBe(2);
    for (let t = 7; t <= 13; t++) {
      setGrads(pa, t);
      setGrads(pb, t);
      la.step();
      lb.step();
    }
    pa.forEach((p, j) => expectBitEqual(pb[j].data, p.data, "fast"));
    pa.forEach((p, j) => expectBitEqual(lb.slow(pb[j]), la.slow(p), "slow"));
    a.dispose();
    b.dispose();
  });

  it("a load that fails changes nothing", async () => {
    const engine = await engineFor("js");
    const params = twoTensors(engine, 8);
    const inner = new SGD(params, { lr: 0.1 });
    const opt = new Lookahead(inner, { k: 3 });
    setGrads(params, 1);
    opt.step();
    const bytes = opt.saveState();
    const slow = params.map((p) => opt.slow(p).slice());
    expectOptimError(() => opt.loadState(new Lookahead(inner, { k: 3, alpha: 0.4 }).saveState()), "STATE_INCOMPATIBLE");
    expectOptimError(() => opt.loadState(bytes.subarray(0, bytes.length - 1)), "STATE_INCOMPATIBLE");
    expectOptimError(() => opt.loadState(new Lookahead(new SGD(twoTensors(engine, 7))).saveState()), "STATE_INCOMPATIBLE");
    params.forEach((p, j) => expectBitEqual(opt.slow(p), slow[j], "slow"));
    expect(opt.stepsSinceSync).toBe(1);
    engine.dispose();
  });
});

describe("Lookahead: bad input and lifetimes", () => {
  it("refuses bad options with codes", async () => {
    const engine = await engineFor("js");
    const inner = new SGD(twoTensors(engine, 5));
    expectOptimError(() => new Lookahead(inner, { k: 0 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new Lookahead(inner, { alpha: 1.5 }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new Lookahead(inner, { alpha: NaN }), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new Lookahead(inner, { syncPeriod: 5 } as object), "INVALID_HYPERPARAMETER");
    expectOptimError(() => new Lookahead(3), "INVALID_ARGUMENT");
    engine.dispose();
  });

  it("is DISPOSED after its own, its optimizer's or a parameter's dispose", async () => {
    const engine = await engineFor("js");
    let params = twoTensors(engine, 5);
    const opt = new Lookahead(new SGD(params));
    opt.dispose();
    expectOptimError(() => opt.step(), "DISPOSED");
    expectOptimError(() => opt.slow(params[0]), "DISPOSED");
    params = twoTensors(engine, 5);
    const opt2 = new Lookahead(new SGD(params));
    params[1].dispose();
    expectOptimError(() => opt2.step(), "DISPOSED");
    engine.dispose();
  });
});
