// Items 11 and 12 of the hardening issue: every malformed argument gets a coded OptimError (never a
// bare TypeError), allocates nothing and changes nothing.
import { describe, expect, it } from "vitest";
import { clipGradNorm, clipGradValue, createEngine, findLearningRate, LBFGS, OptimError, Scheduler, SGD, type Engine } from "../../src/index.js";
import { expectOptimError } from "../helpers/errors.js";
import { expectUnchanged, FAMILIES_ALL_SLOTS, fill, observe } from "./world.js";

type Case = [label: string, call: (engine: Engine) => unknown, code: string];

const PARAM_CASES: Case[] = [
  ["param(4, null)", (e) => e.param(4, null as never), "INVALID_ARGUMENT"],
  ["param(Float32Array, null)", (e) => e.param(new Float32Array(4), null as never), "INVALID_ARGUMENT"],
  ["param(4, 'name')", (e) => e.param(4, "w" as never), "INVALID_ARGUMENT"],
  ["param(5n)", (e) => e.param(5n as never), "INVALID_ARGUMENT"],
  ["param(BigInt64Array)", (e) => e.param(new BigInt64Array(4) as never), "INVALID_ARGUMENT"],
  ["param(Int32Array)", (e) => e.param(new Int32Array(4) as never), "INVALID_ARGUMENT"],
  ["param(DataView)", (e) => e.param(new DataView(new ArrayBuffer(8)) as never), "INVALID_ARGUMENT"],
  ["param('4')", (e) => e.param("4" as never), "INVALID_ARGUMENT"],
  ["param(undefined)", (e) => e.param(undefined as never), "INVALID_ARGUMENT"],
  ["param(-1)", (e) => e.param(-1), "INVALID_ARGUMENT"],
  ["param(2.5)", (e) => e.param(2.5), "INVALID_ARGUMENT"],
  ["param(NaN)", (e) => e.param(NaN), "INVALID_ARGUMENT"],
  ["param([, 3]) (sparse shape)", (e) => e.param([, 3] as never), "INVALID_ARGUMENT"],
  ["param([2, , 3]) (sparse shape)", (e) => e.param([2, , 3] as never), "INVALID_ARGUMENT"],
  ["param(Array(2)) (holes only)", (e) => e.param(new Array(2) as never), "INVALID_ARGUMENT"],
  ["param(['2', 3])", (e) => e.param(["2", 3] as never), "INVALID_ARGUMENT"],
  ["param([2 ** 20, 2 ** 20])", (e) => e.param([2 ** 20, 2 ** 20]), "OUT_OF_MEMORY"],
  ["param(values, { shape: sparse })", (e) => e.param(new Float32Array(3), { shape: [, 3] as never }), "INVALID_ARGUMENT"],
  ["param(4, { shape: [2, 2] }) (shape goes with values)", (e) => e.param(4, { shape: [2, 2] }), "INVALID_ARGUMENT"],
  ["param(4, { nme: 'w' }) (unknown option)", (e) => e.param(4, { nme: "w" } as never), "INVALID_ARGUMENT"],
  ["param(4, { name: 5 })", (e) => e.param(4, { name: 5 } as never), "INVALID_ARGUMENT"],
  ["param(4, { toString }) (inherited name)", (e) => e.param(4, Object.defineProperty({}, "toString", { value: 1, enumerable: true }) as never), "INVALID_ARGUMENT"],
];

describe("engine.param: malformed arguments", () => {
  it.each(PARAM_CASES)("%s", async (_, call, code) => {
    const engine = await createEngine();
    const p = fill(engine.param(3), 1);
    expectUnchanged(() => observe(engine, [p]), () => call(engine), code);
  });
});

describe("setData and setGrad: values that are not numbers", () => {
  const BAD: [string, unknown, string][] = [
    ["BigInt64Array", new BigInt64Array(4), "INVALID_ARGUMENT"],
    ["BigUint64Array", new BigUint64Array(4), "INVALID_ARGUMENT"],
    ["DataView", new DataView(new ArrayBuffer(16)), "INVALID_ARGUMENT"],
    ["an array with a string", [1, 2, "3", 4], "INVALID_ARGUMENT"],
    ["an array with a hole", [1, , 3, 4], "INVALID_ARGUMENT"],
    ["null", null, "INVALID_ARGUMENT"],
    ["a number", 4, "INVALID_ARGUMENT"],
    ["a string of length 4", "1234", "INVALID_ARGUMENT"],
    ["too short", new Float32Array(3), "SHAPE_MISMATCH"],
  ];
  it.each(BAD)("%s", async (_, values, code) => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    expectUnchanged(() => observe(engine, [p]), () => p.setGrad(values as never), code);
    expectUnchanged(() => observe(engine, [p]), () => p.setData(values as never), code);
  });

  it("accepts any numeric typed array and arrays of numbers", async () => {
    const engine = await createEngine();
    const p = engine.param(3);
    p.setData(new Int16Array([1, -2, 3]));
    p.setGrad([0.5, NaN, -0]);
    expect(Array.from(p.data)).toEqual([1, -2, 3]);
    expect(Object.is(p.grad[2], -0)).toBe(true);
  });
});

describe("optimizer calls: malformed arguments", () => {
  it.each(FAMILIES_ALL_SLOTS)("%s: getState, step and the constructor", async (_, Family, options) => {
    const engine = await createEngine();
    const [p, stranger] = [fill(engine.param(4), 1), fill(engine.param(2), 2)];
    const opt = new Family([p], options);
    opt.step();
    const world = () => observe(engine, [p, stranger], [opt]);
    for (const arg of [null, undefined, 5, {}, stranger]) expectUnchanged(world, () => opt.getState(arg as never), "INVALID_ARGUMENT");
    for (const arg of [5, {}, "f", null]) expectUnchanged(world, () => opt.step(arg as never), "INVALID_ARGUMENT");
    for (const params of [null, 5, [], [5], [null], [{}], [{ params: null }], [{ params: [5] }], [stranger, {}]]) {
      expectUnchanged(() => observe(engine, [stranger]), () => new Family(params as never, options), "INVALID_ARGUMENT");
    }
  });

  it("a step whose closure is not a function does not run anything", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    expectUnchanged(() => observe(engine, [p], [opt]), () => opt.step({ call: () => 1 } as never), "INVALID_ARGUMENT");
  });

  it("step validates the options before running the closure", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    const opt = new SGD([p], { lr: 0.1 });
    opt.paramGroups[0].lr = -1;
    let ran = false;
    expectOptimError(() => opt.step(() => ((ran = true), 0)), "INVALID_HYPERPARAMETER");
    expect(ran).toBe(false);
  });
});

describe("other entry points", () => {
  it("createEngine(null) and unknown engine options reject with INVALID_ARGUMENT", async () => {
    for (const options of [null, 5, "js", { backnd: "js" }, Object.defineProperty({}, "valueOf", { value: 1, enumerable: true })]) {
      const error = await createEngine(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptimError);
      expect((error as OptimError).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("findLearningRate, Scheduler and clipGradNorm refuse what is not theirs", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    for (const optimizer of [null, undefined, {}, p]) {
      expectOptimError(() => findLearningRate(optimizer as never, () => 1), "INVALID_ARGUMENT");
      expectOptimError(() => new Scheduler(optimizer as never, () => 1), "INVALID_ARGUMENT");
    }
    expectUnchanged(() => observe(engine, [p]), () => clipGradNorm([p], 1, 2, null as never), "INVALID_ARGUMENT");
    expectUnchanged(() => observe(engine, [p]), () => clipGradNorm([p, 5] as never, 1), "INVALID_ARGUMENT");
  });
});

describe("lists are read once, by index", () => {
  /** An array whose iterator hides its last element. */
  function hiding<T>(items: T[]): T[] {
    const list = items.slice();
    Object.defineProperty(list, Symbol.iterator, { value: () => items.slice(0, -1)[Symbol.iterator]() });
    return list;
  }

  it.each(FAMILIES_ALL_SLOTS)("%s: a hidden owned param is still refused (PARAM_IN_USE), the owner keeps working", async (_, Family, options) => {
    const engine = await createEngine();
    const [owned, free] = [fill(engine.param(3), 1), fill(engine.param(4), 2)];
    const owner = new Family([owned], options);
    expectUnchanged(() => observe(engine, [owned, free], [owner]), () => new Family(hiding([free, owned]), options), "PARAM_IN_USE");
    expectUnchanged(() => observe(engine, [owned, free], [owner]), () => new Family([{ params: hiding([free, 5 as never]) }] as never, options), "INVALID_ARGUMENT");
    owner.step();
  });

  it("clipGradValue and clipGradNorm check the element an iterator hides", async () => {
    const engine = await createEngine();
    const [p, d] = [fill(engine.param(3), 1), fill(engine.param(3), 2)];
    d.dispose();
    const q = fill(engine.param(3), 3); // reuses d's storage
    expectUnchanged(() => observe(engine, [p, q]), () => clipGradValue(hiding([p, d]), 0.01), "DISPOSED");
    expectUnchanged(() => observe(engine, [p, q]), () => clipGradNorm(hiding([p, d]), 0.01), "DISPOSED");
  });
});

it("engine.param(values) copies values that are a view of its own heap before it grows (unshared memory)", async () => {
  const engine = await createEngine({ sharedMemory: false, initialBytes: 65536 });
  const big = engine.param(12_000);
  big.data.fill(2.5);
  const copy = engine.param(big.data); // this allocation grows (and detaches) the heap's buffer
  expect(copy.data.every((v) => v === 2.5)).toBe(true);
  expect(engine.heap.usedBytes).toBe(4 * 48_000);
});

it("an object made with Param's prototype is no Param: coded errors everywhere", async () => {
  const engine = await createEngine();
  const p = fill(engine.param(3), 1);
  const forged = Object.create(Object.getPrototypeOf(p));
  const opt = new SGD([p], { lr: 0.1 });
  const world = () => observe(engine, [p], [opt]);
  expectUnchanged(world, () => new SGD([forged]), "INVALID_ARGUMENT");
  expectUnchanged(world, () => opt.getState(forged), "INVALID_ARGUMENT");
  expectUnchanged(world, () => clipGradNorm([forged], 1), "INVALID_ARGUMENT");
  expectUnchanged(world, () => opt.addParamGroup({ params: [forged] }), "INVALID_ARGUMENT");
});

it("LBFGS refuses a history too large to allocate", async () => {
  const engine = await createEngine();
  const x = engine.param(2);
  expectOptimError(() => new LBFGS([x], { historySize: 2 ** 40 }), "INVALID_HYPERPARAMETER");
});
