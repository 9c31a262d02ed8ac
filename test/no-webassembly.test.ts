import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Safari's Lockdown Mode removes WebAssembly: the library must still work, on js.
describe("without WebAssembly", () => {
  const saved = globalThis.WebAssembly;
  beforeAll(() => {
    delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
  });
  afterAll(() => {
    globalThis.WebAssembly = saved;
  });

  it("runs on the js backend over an ArrayBuffer heap", async () => {
    const { createEngine, Adam } = await import("../src/index.js");
    const engine = await createEngine();
    expect(engine.backend).toBe("js");
    expect(engine.availableBackends()).toEqual(["js"]);
    expect(engine.heap.storage.memory).toBeNull();
    const x = engine.param(new Float32Array([1, 2, 3, 4, 5]));
    const adam = new Adam([x], { lr: 0.1 });
    x.grad.fill(2);
    adam.step();
    expect(Array.from(x.data, (v) => +v.toFixed(6))).toEqual([0.9, 1.9, 2.9, 3.9, 4.9]);
  });

  it("refuses a wasm backend with BACKEND_UNAVAILABLE and keeps js", async () => {
    const { createEngine } = await import("../src/index.js");
    await expect(createEngine({ backend: "wasm-simd" })).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    const engine = await createEngine();
    await expect(engine.setBackend("wasm")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(engine.backend).toBe("js");
  });

  it("grows its heap and, with a resizable ArrayBuffer, keeps old views live", async () => {
    const { createEngine } = await import("../src/index.js");
    const engine = await createEngine({ initialBytes: 65536 });
    const p = engine.param(new Float32Array([1, 2, 3]));
    const old = p.data;
    engine.param(1 << 20);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    expect(engine.heap.storage.kind).toBe("resizable");
    old[0] = 5;
    expect(p.data[0]).toBe(5);
  });
});
