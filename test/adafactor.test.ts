// The Adafactor class on the element-wise base: matrices (row and column factors), batches of them
// and vectors (a variance) packed in one group, against the float64 reference of torch's algorithm
// over several steps; identical bits on every backend and across a backend swap; getState; a saved
// state that continues exactly; bad options refused with nothing changed.
import { describe, expect, it } from "vitest";
import { Adafactor, type AdafactorOptions, type BackendName, type Engine, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import { expectRejected, rewriteHeader } from "./helpers/stateBytes.js";
import { adafactorReference } from "./reference/adafactor.js";

// One group of every kind of parameter, in an order that puts matrices between vectors.
const SHAPES: readonly (readonly number[])[] = [[3, 5], [17], [2, 3, 4], [1, 1], [1025], [5, 3], [17, 33], [1]];
const STEPS = 8;
const CASES: readonly Partial<AdafactorOptions>[] = [
  {},
  { lr: 0.5, weightDecay: 0.1, maximize: true },
  { eps1: 1e-3, eps2: 1e-2, d: 1.25, beta2Decay: -0.5 },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function makeParams(engine: Engine): Param[] {
  return SHAPES.map((shape, k) => engine.param(uniform(size(shape), 10 + k), { name: `p${k}`, shape: [...shape] }));
}

function setGrads(params: Param[], t: number): void {
  params.forEach((p, k) => p.setGrad(uniform(p.length, 1000 * t + k)));
}

/** Every parameter and state buffer, copied, in a fixed order. */
function snapshot(optimizer: Adafactor, params: Param[]): Float32Array[] {
  return params.flatMap((p) => {
    const s = optimizer.getState(p);
    return [p.data.slice(), ...[s.rowVar, s.colVar, s.variance].filter((b) => b !== undefined).map((b) => b.slice())];
  });
}

describe.each(BACKENDS)("Adafactor on %s", (backend) => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))("%s: every shape matches the float64 reference over the steps", async (_, options) => {
    const engine = await engineFor(backend);
    const params = makeParams(engine);
    const optimizer = new Adafactor(params, options);
    const refs = SHAPES.map((shape) => adafactorReference(shape, options));
    const p64 = params.map((p) => Float64Array.from(p.data));
    for (let t = 1; t <= STEPS; t++) {
      setGrads(params, t);
      optimizer.step();
      refs.forEach((ref, k) => ref.step(t, p64[k], Float64Array.from(params[k].grad)));
    }
    params.forEach((p, k) => {
      expectClose(p.data, p64[k], 2e-5, 2e-6, `param ${SHAPES[k].join("×")}`);
      const state = optimizer.getState(p) as Record<string, unknown>;
      for (const [name, expected] of Object.entries(refs[k].state)) expectClose(state[name] as Float32Array, expected, 2e-5, 2e-6, `${name} of ${SHAPES[k].join("×")}`);
    });
    engine.dispose();
  });
});

async function run(backend: BackendName, options: Partial<AdafactorOptions>, swapTo?: BackendName): Promise<Float32Array[]> {
  const engine = await engineFor(backend);
  const params = makeParams(engine);
  const optimizer = new Adafactor([{ params: params.slice(0, 4) }, { params: params.slice(4), lr: 0.05 }], options);
  for (let t = 1; t <= STEPS; t++) {
    if (swapTo && t === STEPS / 2) await engine.setBackend(swapTo);
    setGrads(params, t);
    optimizer.step();
  }
  const out = snapshot(optimizer, params);
  engine.dispose();
  return out;
}

describe("Adafactor gives identical bits", () => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))(`%s on ${BACKENDS.join(", ")} and across a swap`, async (_, options) => {
    const [first, ...others] = await Promise.all(BACKENDS.map((b) => run(b, options)));
    for (const other of others) other.forEach((buffer, i) => expectBitEqual(buffer, first[i], `buffer ${i}`));
    for (const target of BACKENDS.slice(1)) {
      (await run(BACKENDS[0], options, target)).forEach((buffer, i) => expectBitEqual(buffer, first[i], `buffer ${i} after a swap to ${target}`));
    }
  });
});

describe("Adafactor's state", () => {
  it("getState: row and column factors of the last two dims for matrices, a variance for vectors, views of the live state", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = makeParams(engine);
    const optimizer = new Adafactor(params);
    // Created with the optimizer, zero before the first step.
    expect(optimizer.getState(params[2])).toEqual({ step: 0, rowVar: new Float32Array(6), colVar: new Float32Array(8) });
    setGrads(params, 1);
    optimizer.step();
    params.forEach((p, k) => {
      const shape = SHAPES[k];
      const state = optimizer.getState(p);
      expect(state.step).toBe(1);
      if (shape.length >= 2) {
        expect(Object.keys(state).sort()).toEqual(["colVar", "rowVar", "step"]);
        const batch = size(shape.slice(0, -2));
        expect(state.rowVar!.length).toBe(batch * shape.at(-2)!);
        expect(state.colVar!.length).toBe(batch * shape.at(-1)!);
        // The first step's weight is 1: each factor is the mean of G² over its row or column.
        const g = p.grad;
        const cols = shape.at(-1)!;
        let row0 = 0;
        for (let j = 0; j < cols; j++) row0 += g[j] * g[j];
        expect(state.rowVar![0]).toBeCloseTo(row0 / cols, 6);
      } else {
        expect(Object.keys(state).sort()).toEqual(["step", "variance"]);
        expect(Array.from(state.variance!)).toEqual(Array.from(p.grad, (x) => Math.fround(x * x)));
      }
    });
    // A view: what the next step writes shows through the view taken before it.
    const view = optimizer.getState(params[0]).rowVar!;
    const before = view.slice();
    setGrads(params, 2);
    optimizer.step();
    expect(view).not.toEqual(before);
    expect(view).toEqual(optimizer.getState(params[0]).rowVar);
    engine.dispose();
  });

  it.each(BACKENDS)("saveState/loadState on %s: a loaded optimizer continues bit for bit, eps1 null included", async (backend) => {
    const engine = await engineFor(backend);
    const params = makeParams(engine);
    const optimizer = new Adafactor(params, { weightDecay: 0.05 });
    for (let t = 1; t <= 3; t++) {
      setGrads(params, t);
      optimizer.step();
    }
    const bytes = optimizer.saveState();
    const values = params.map((p) => p.data.slice());
    for (let t = 4; t <= STEPS; t++) {
      setGrads(params, t);
      optimizer.step();
    }
    const straight = snapshot(optimizer, params);
    optimizer.dispose();

    params.forEach((p, k) => p.data.set(values[k]));
    const loaded = new Adafactor(params, { eps1: 0.25, weightDecay: 0 });
    loaded.loadState(bytes);
    expect(loaded.paramGroups[0].eps1).toBeNull();
    expect(loaded.paramGroups[0].weightDecay).toBe(0.05);
    expect(loaded.getState(params[0]).step).toBe(3);
    for (let t = 4; t <= STEPS; t++) {
      setGrads(params, t);
      loaded.step();
    }
    snapshot(loaded, params).forEach((buffer, i) => expectBitEqual(buffer, straight[i], `buffer ${i}`));
    engine.dispose();
  });
});

describe("Adafactor refuses bad input, changing nothing", () => {
  const bad: [keyof AdafactorOptions, unknown][] = [
    ["lr", -1], ["lr", NaN], ["beta2Decay", 0.5], ["beta2Decay", Infinity], ["eps1", -1e-3], ["eps1", "none"], ["eps1", undefined],
    ["eps2", -1], ["d", 0.5], ["weightDecay", -0.1], ["maximize", 1],
  ];

  it.each(bad.map(([key, value]) => [`${key} ${String(value)}`, key, value] as const))("%s: in the constructor and before a step", async (_, key, value) => {
    const engine = await engineFor(BACKENDS[0]);
    const params = makeParams(engine);
    if (value !== undefined) expectOptimError(() => new Adafactor(params, { [key]: value }), "INVALID_HYPERPARAMETER");
    const optimizer = new Adafactor(params);
    setGrads(params, 1);
    optimizer.step();
    const before = snapshot(optimizer, params);
    (optimizer.paramGroups[0] as Record<string, unknown>)[key] = value;
    setGrads(params, 2);
    expectOptimError(() => optimizer.step(), "INVALID_HYPERPARAMETER");
    snapshot(optimizer, params).forEach((buffer, i) => expectBitEqual(buffer, before[i], `buffer ${i}`));
    expect(optimizer.getState(params[0]).step).toBe(1);
    engine.dispose();
  });

  it("a saved state with a bad eps1 or mismatched factor lengths is refused", async () => {
    const engine = await engineFor(BACKENDS[0]);
    const params = makeParams(engine);
    const optimizer = new Adafactor(params);
    setGrads(params, 1);
    optimizer.step();
    const bytes = optimizer.saveState();
    const before = snapshot(optimizer, params);
    expectRejected(optimizer, rewriteHeader(bytes, (h) => (h.groups[0].hyper.eps1 = -1)), /eps1/);
    expectRejected(optimizer, rewriteHeader(bytes, (h) => (h.groups[0].hyper.eps1 = "none")), /eps1/);
    // A parameter saved with its last two dims swapped: as many elements, other factor lengths.
    expectRejected(optimizer, rewriteHeader(bytes, (h) => (h.groups[0].params[0].shape = [5, 3])));
    snapshot(optimizer, params).forEach((buffer, i) => expectBitEqual(buffer, before[i], `buffer ${i}`));
    engine.dispose();
  });
});
