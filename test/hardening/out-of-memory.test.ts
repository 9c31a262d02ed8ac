// Items 3 and 4 of the hardening issue: a call that runs out of heap half-way (the second of two
// param groups, the second state buffer of a step, a parameter's gradient) frees what it took, owns
// nothing, and the next successful call gives the bits of a run that never hit the limit.
import { describe, expect, it } from "vitest";
import { createEngine, type Engine, type Optimizer, type Param } from "../../src/index.js";
import { expectUnchanged, FAMILIES_ALL_SLOTS, fill, LAZY_SLOTS, observe } from "./world.js";

/** The families whose steps or loads can create state buffers, with the options that make them. */
const LAZY = FAMILIES_ALL_SLOTS.filter(([name]) => name in LAZY_SLOTS).map(([name, Family]) => [name, Family, ...LAZY_SLOTS[name]] as const);

const N = 100; // floats per param: 400 bytes, a multiple of the heap's 16-byte alignment

/** Fills the heap with blocks of `floats` until it refuses; returns them to free later. */
function exhaust(engine: Engine, floats: number): number[] {
  const filler: number[] = [];
  for (;;) {
    try {
      filler.push(engine.heap.alloc(floats));
    } catch {
      return filler;
    }
  }
}

function twoGroups(engine: Engine): [Param, Param] {
  return [fill(engine.param(N, { name: "a" }), 1), fill(engine.param(N, { name: "b" }), 2)];
}

async function limited(): Promise<Engine> {
  return createEngine({ initialBytes: 65536, maxBytes: 4 * 65536 });
}

describe("out of memory half-way", () => {
  it.each(LAZY)("%s: the state buffers a step creates are all created or none", async (_, Family, without, options) => {
    const engine = await limited();
    const [a, b] = twoGroups(engine);
    const opt = new Family([{ params: [a] }, { params: [b] }] as never, without);
    opt.paramGroups.forEach((group) => Object.assign(group, options));
    const filler = exhaust(engine, N);
    engine.heap.free(filler.pop()!); // room for one state buffer: the step needs two or more
    expectUnchanged(() => observe(engine, [a, b], [opt]), () => opt.step(), "OUT_OF_MEMORY");
    for (const offset of filler) engine.heap.free(offset);
    opt.step();
    opt.step();

    const clean = await createEngine();
    const [ca, cb] = twoGroups(clean);
    const reference = new Family([{ params: [ca] }, { params: [cb] }] as never, without);
    reference.paramGroups.forEach((group) => Object.assign(group, options));
    reference.step();
    reference.step();
    expect(snapshot(opt, [a, b])).toEqual(snapshot(reference, [ca, cb]));
  });

  it.each(FAMILIES_ALL_SLOTS)("%s: a constructor that runs out on its second group owns and leaks nothing", async (_, Family, options) => {
    const engine = await limited();
    const [a, b] = twoGroups(engine);
    const filler = exhaust(engine, N);
    engine.heap.free(filler.pop()!);
    engine.heap.free(filler.pop()!); // room for two blocks: the two groups need four and more
    expectUnchanged(() => observe(engine, [a, b]), () => new Family([{ params: [a] }, { params: [b] }] as never, options), "OUT_OF_MEMORY");
    expect([a.owner, b.owner]).toEqual([null, null]);
    for (const offset of filler) engine.heap.free(offset);
    const opt = new Family([a], options); // a is not owned: no PARAM_IN_USE
    expect(opt.paramGroups).toHaveLength(1);
  });

  it.each(FAMILIES_ALL_SLOTS)("%s: addParamGroup that runs out changes nothing", async (_, Family, options) => {
    const engine = await limited();
    const [a, b] = twoGroups(engine);
    const opt = new Family([a], options);
    opt.step();
    const filler = exhaust(engine, N);
    engine.heap.free(filler.pop()!); // one block: a group needs two
    expectUnchanged(() => observe(engine, [a, b], [opt]), () => opt.addParamGroup({ params: [b] }), "OUT_OF_MEMORY");
    expect(b.owner).toBeNull();
    for (const offset of filler) engine.heap.free(offset);
    opt.addParamGroup({ params: [b] });
    opt.step();
  });

  it.each(LAZY)("%s: loadState that runs out creating buffers changes nothing", async (_, Family, without, options) => {
    const engine = await limited();
    const [a, b] = twoGroups(engine);
    const source = new Family([{ params: [a] }, { params: [b] }] as never, options);
    source.step();
    const bytes = source.saveState();
    source.dispose();
    const opt = new Family([{ params: [a] }, { params: [b] }] as never, without);
    const filler = exhaust(engine, N);
    engine.heap.free(filler.pop()!);
    expectUnchanged(() => observe(engine, [a, b], [opt]), () => opt.loadState(bytes), "OUT_OF_MEMORY");
    for (const offset of filler) engine.heap.free(offset);
    opt.loadState(bytes);
    expect(opt.getState(a).step).toBe(1);
  });

  it("engine.param that runs out on the gradient frees the values' block", async () => {
    const engine = await limited();
    const filler = exhaust(engine, N);
    engine.heap.free(filler.pop()!); // one block: a param needs two
    expectUnchanged(() => observe(engine, []), () => engine.param(N), "OUT_OF_MEMORY");
  });
});

function snapshot(opt: Optimizer<any>, params: Param[]): unknown {
  return params.map((p) => ({ data: Array.from(p.data), state: Object.entries(opt.getState(p)).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v!)]) }));
}
