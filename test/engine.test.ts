import { describe, expect, it } from "vitest";
import { Adam, createEngine, SGD, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";

describe("engine", () => {
  it("chooses the fastest backend by itself and can be told which", async () => {
    expect((await createEngine()).backend).toBe(BACKENDS[0]);
    for (const backend of BACKENDS) expect((await createEngine({ backend })).backend).toBe(backend);
  });

  it("rejects an unknown backend name", async () => {
    await expect(createEngine({ backend: "webgpu" as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const engine = await createEngine();
    await expect(engine.setBackend("gpu" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(engine.backend).toBe(BACKENDS[0]);
  });

  it("creates parameters from a length, a shape, or initial values", async () => {
    const engine = await createEngine();
    expect(engine.param(5).length).toBe(5);
    const w = engine.param([3, 4], { name: "w" });
    expect([w.length, w.shape, w.name]).toEqual([12, [3, 4], "w"]);
    const v = engine.param(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    expect([Array.from(v.data), v.shape]).toEqual([[1, 2, 3, 4, 5, 6], [2, 3]]);
    expect(Array.from(engine.param(new Float64Array([0.5])).data)).toEqual([0.5]);
    expect(Array.from(w.grad)).toEqual(new Array(12).fill(0));
  });

  it("keeps views taken before a growth live, or at least re-derives them on access", async () => {
    const engine = await createEngine({ initialBytes: 65536 });
    const p = engine.param(new Float32Array([1, 2, 3]));
    const oldView = p.data;
    const before = engine.heap.byteLength;
    engine.param(4 << 20); // 16 MiB: forces the memory to grow
    expect(engine.heap.byteLength).toBeGreaterThan(before);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    p.data[0] = 10;
    if (engine.viewsSurviveGrowth) {
      // Shared wasm memory (Node, cross-origin-isolated pages): the old view reads and writes the live data.
      expect(oldView[0]).toBe(10);
      oldView[1] = 20;
      expect(p.data[1]).toBe(20);
    } else {
      expect(oldView.length).toBe(0); // detached: it cannot silently read stale numbers
    }
  });

  it("with sharedMemory: false, growth detaches old views and .data re-derives them", async () => {
    const engine = await createEngine({ initialBytes: 65536, sharedMemory: false });
    expect([engine.heap.storage.kind, engine.viewsSurviveGrowth]).toEqual(["wasm", false]);
    const p = engine.param(new Float32Array([1, 2, 3]));
    const oldView = p.data;
    engine.param(4 << 20);
    expect(oldView.length).toBe(0);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    await expect(createEngine({ sharedMemory: "yes" as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("packs parameters when an optimizer takes them and keeps their values and gradients", async () => {
    const engine = await createEngine();
    const a = engine.param(new Float32Array([1, 2, 3]));
    engine.param(100); // a gap, so a and b are not adjacent before packing
    const b = engine.param(new Float32Array([4, 5]));
    a.grad.set([0.1, 0.2, 0.3]);
    b.grad.set([0.4, 0.5]);
    new SGD([a, b], { lr: 1 });
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(Array.from(b.data)).toEqual([4, 5]);
    expect(Array.from(b.grad)).toEqual([0.4, 0.5].map(Math.fround));
    // Contiguous: b's values start right after a's.
    expect(b.data.byteOffset).toBe(a.data.byteOffset + 12);
    expect(b.grad.byteOffset).toBe(a.grad.byteOffset + 12);
  });

  it("gives identical results for many small tensors and one large tensor", async () => {
    const engine = await createEngine();
    const sizes = Array.from({ length: 40 }, (_, i) => 1 + ((i * 37) % 29));
    const total = sizes.reduce((x, y) => x + y, 0);
    const init = uniform(total, 3);
    let at = 0;
    const small = sizes.map((n) => engine.param(init.slice(at, (at += n))));
    const large = engine.param(init);
    const optSmall = new Adam(small, { lr: 0.01, amsgrad: true });
    const optLarge = new Adam([large], { lr: 0.01, amsgrad: true });
    for (let t = 0; t < 10; t++) {
      const g = uniform(total, 50 + t);
      let o = 0;
      for (const p of small) p.setGrad(g.subarray(o, (o += p.length)));
      large.setGrad(g);
      optSmall.step();
      optLarge.step();
    }
    const joined = new Float32Array(total);
    at = 0;
    for (const p of small) joined.set(p.data, (at += p.length) - p.length);
    expectBitEqual(joined, large.data);
  });

  it("zeroGrad clears every gradient of every group", async () => {
    const engine = await createEngine();
    const ps = [engine.param(5), engine.param(7), engine.param(3)];
    const opt = new SGD([{ params: ps.slice(0, 2) }, { params: ps.slice(2), lr: 0.5 }]);
    for (const p of ps) p.grad.fill(3);
    opt.zeroGrad();
    for (const p of ps) expect(Array.from(p.grad).every((v) => v === 0)).toBe(true);
  });

  it("applies per-group hyperparameters and picks up changes between steps", async () => {
    const engine = await createEngine();
    const a = engine.param(new Float32Array([1])), b = engine.param(new Float32Array([1]));
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad[0] = b.grad[0] = 1;
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([Math.fround(0.9), 0.5]);
    opt.paramGroups[0].lr = 0.2;
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.7, 6);
    expect(opt.paramGroups[1].lr).toBe(0.5);
  });

  it("frees storage on dispose and reuses it", async () => {
    const engine = await createEngine();
    const baseline = engine.heap.usedBytes;
    const ps: Param[] = [engine.param(1000), engine.param(24)];
    const opt = new Adam(ps, { amsgrad: true });
    ps[0].grad.fill(1);
    opt.step();
    const inUse = engine.heap.usedBytes;
    opt.dispose();
    expect(engine.heap.usedBytes).toBeLessThan(inUse);
    // The parameters outlive their optimizer and can join a new one.
    const again = new SGD(ps, { lr: 0.1 });
    again.step();
    again.dispose();
    for (const p of ps) p.dispose();
    expect(engine.heap.usedBytes).toBe(baseline);
    // Freed memory is reused: the heap does not grow for a same-sized allocation.
    const size = engine.heap.byteLength;
    engine.param(1024);
    expect(engine.heap.byteLength).toBe(size);
  });

  it("keeps a packed block alive until every parameter in it is disposed", async () => {
    const engine = await createEngine();
    const a = engine.param(new Float32Array([1, 2])), b = engine.param(new Float32Array([3, 4]));
    new SGD([a, b]).dispose();
    a.dispose();
    engine.param(new Float32Array([9, 9, 9, 9])); // may reuse freed space, never b's
    expect(Array.from(b.data)).toEqual([3, 4]);
  });
});

describe.each(BACKENDS)("no allocation on %s", (backend) => {
  it("10,000 steps leave the heap's size and usage where they were", async () => {
    const engine = await engineFor(backend);
    const ps = Array.from({ length: 20 }, (_, i) => engine.param(50 + i));
    const opt = new Adam(ps, { amsgrad: true });
    opt.step(); // the first step creates the state slots
    const [bytes, used] = [engine.heap.byteLength, engine.heap.usedBytes];
    for (let i = 0; i < 10_000; i++) opt.step();
    expect([engine.heap.byteLength, engine.heap.usedBytes]).toEqual([bytes, used]);
  });
});
