// The kernel contract (src/backend/contract.ts) is the one description of every kernel: the js
// backend's functions must take its arguments by its names, the wasm exports must have its arity
// (argument kinds are checked at build time by scripts/check-contract.ts), and the thread pool
// splits calls by what it derives from it.
import { describe, expect, it } from "vitest";
import { createJsKernels } from "../src/backend/js/index.js";
import { KERNEL_CONTRACT, KERNEL_NAMES as ALL, assertKernels } from "../src/backend/contract.js";
import { CALLER_KERNELS, KERNEL_NAMES, KERNEL_OFFSETS, MAX_ARGS } from "../src/backend/threads/signatures.js";
import { createEngine } from "../src/index.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectOptimError } from "./helpers/errors.js";

/** A function's parameter names, from its source text: `adam(p, g, m, v, vmax, n, …)`. */
function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const list = source.slice(source.indexOf("(") + 1, source.indexOf(")"));
  return list.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

describe("the kernel contract", () => {
  it("the js backend implements exactly the contract's kernels, with its argument names", async () => {
    const engine = await createEngine({ backend: "js" });
    const js = createJsKernels(engine.heap);
    expect(Object.keys(js).sort()).toEqual([...ALL].sort());
    for (const name of ALL) {
      const contractNames = KERNEL_CONTRACT[name].args.map((arg) => arg.slice(0, arg.indexOf(":")));
      expect(parameterNames(js[name] as (...args: never[]) => unknown), name).toEqual(contractNames);
    }
    engine.dispose();
  });

  it("every element-wise kernel takes its offsets first, then n, within the command block's size", () => {
    expect([...KERNEL_NAMES, ...CALLER_KERNELS].sort()).toEqual([...ALL].sort());
    for (const name of KERNEL_NAMES) {
      const kinds = KERNEL_CONTRACT[name].args.map((arg) => arg.slice(arg.indexOf(":") + 1));
      const offsets = KERNEL_OFFSETS[name];
      // Heap offsets: float32 blocks, bfloat16 state slots (moved 2 bytes a number by a split), int8
      // codes and scales (1 byte a number, 4 per 256) and the per-thread int8 scratch.
      expect(kinds.slice(0, offsets).every((k) => ["ptr", "half", "codes", "scales", "scratch"].includes(k)), name).toBe(true);
      // An int8 slot is its codes followed by its scales, and a kernel with one has a scratch.
      kinds.forEach((k, i) => k === "codes" && expect(kinds[i + 1], name).toBe("scales"));
      expect(kinds.includes("codes"), name).toBe(kinds.includes("scratch"));
      expect(kinds[offsets], name).toBe("size");
      expect(kinds.slice(offsets + 1).every((k) => k === "f32" || k === "bool" || k === "u32"), name).toBe(true);
      // threaded.ts reads n from one of its first ten arguments.
      expect(offsets, name).toBeLessThanOrEqual(9);
      expect(kinds.length, name).toBeLessThanOrEqual(MAX_ARGS);
    }
  });

  it.each(BACKENDS.filter((b) => b !== "js"))("%s exports every kernel with the contract's arity", async (backend) => {
    const engine = await createEngine({ backend });
    const { createWasmBackend } = await import("../src/backend/wasm.js");
    const wasm = await createWasmBackend(backend === "wasm-simd", engine.heap.storage.memory!, true);
    for (const name of ALL) expect((wasm.kernels[name] as (...args: never[]) => unknown).length, name).toBe(KERNEL_CONTRACT[name].args.length);
    engine.dispose();
  });

  it("a module that does not match is refused, naming the kernel", () => {
    const exports = Object.fromEntries(ALL.map((name) => [name, (..._: number[]) => 0]));
    expect(expectOptimError(() => assertKernels(exports), "BACKEND_UNAVAILABLE").message).toMatch(/fill should be a function of 3 arguments/);
    const { adam: _, ...missing } = Object.fromEntries(ALL.map((name) => [name, new Function(...KERNEL_CONTRACT[name].args.map((_, i) => `a${i}`), "")]));
    expect(expectOptimError(() => assertKernels(missing), "BACKEND_UNAVAILABLE").message).toMatch(/adam should be/);
  });
});
