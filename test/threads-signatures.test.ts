// The thread pool splits a kernel call by KERNEL_OFFSETS alone: the table must match every
// kernel's signature, on the js backend (by parameter names) and in the wasm exports (by arity).
import { describe, expect, it } from "vitest";
import { createJsKernels } from "../src/backend/js/index.js";
import { CALLER_KERNELS, KERNEL_NAMES, KERNEL_OFFSETS, MAX_ARGS } from "../src/backend/threads/signatures.js";
import { createEngine } from "../src/index.js";
import { BACKENDS } from "./helpers/backends.js";

/** A function's parameter names, from its source text: `adam(p, g, m, v, vmax, n, …)`. */
function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const list = source.slice(source.indexOf("(") + 1, source.indexOf(")"));
  return list.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

describe("KERNEL_OFFSETS", () => {
  it("every kernel takes its offsets first, then n", async () => {
    const engine = await createEngine({ backend: "js" });
    const js = createJsKernels(engine.heap);
    expect(Object.keys(js).sort()).toEqual([...KERNEL_NAMES, ...CALLER_KERNELS].sort());
    for (const name of KERNEL_NAMES) {
      const names = parameterNames(js[name] as (...args: never[]) => unknown);
      expect(names.indexOf("n"), name).toBe(KERNEL_OFFSETS[name]);
      expect(names.length, name).toBeLessThanOrEqual(MAX_ARGS);
    }
    engine.dispose();
  });

  it.each(BACKENDS.filter((b) => b !== "js"))("%s exports every kernel with the js arity", async (backend) => {
    const engine = await createEngine({ backend });
    const js = createJsKernels(engine.heap);
    // The engine's kernels wrap the exports; the exports themselves are the module's.
    const { createWasmBackend } = await import("../src/backend/wasm.js");
    const wasm = await createWasmBackend(backend === "wasm-simd", engine.heap.storage.memory!, true);
    for (const name of KERNEL_NAMES) expect((wasm.kernels[name] as (...args: never[]) => unknown).length, name).toBe(js[name].length);
    engine.dispose();
  });
});
