// Compiles the reference loops (bench/wasm/source.ts) with AssemblyScript's compiler API and
// gives them a bump-allocated memory of their own.
import asc from "assemblyscript/asc";
import { REFERENCE_LOOPS_SOURCE } from "./source.js";

export interface ReferenceLoops {
  copy(dst: number, src: number, n: number): void;
  triad(a: number, b: number, c: number, s: number, n: number): void;
  adamTraffic(p: number, g: number, m: number, v: number, n: number): void;
  adamBare(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, stepSize: number, epsHat: number): void;
}

export interface ReferenceModule {
  readonly loops: ReferenceLoops;
  readonly memory: WebAssembly.Memory;
  /** Byte offset of `floats` fresh 16-byte-aligned floats (memory grows as needed). */
  alloc(floats: number): number;
  /** Forgets every allocation (the memory keeps its size, so the next run reuses it). */
  reset(): void;
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function compile(): Promise<WebAssembly.Module> {
  const result = await asc.compileString(REFERENCE_LOOPS_SOURCE, {
    optimizeLevel: 3, shrinkLevel: 0, noAssert: true, runtime: "stub", importMemory: true, initialMemory: 0,
    enable: ["simd"], use: ["abort="],
  } as Parameters<typeof asc.compileString>[1]);
  if (result.error || !result.binary) throw new Error(`reference loops failed to compile: ${result.stderr.toString()}`);
  return WebAssembly.compile(result.binary as Uint8Array<ArrayBuffer>);
}

export async function referenceModule(): Promise<ReferenceModule> {
  compiled ??= compile();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  const instance = await WebAssembly.instantiate(await compiled, { env: { memory } });
  let top = 16;
  return {
    loops: instance.exports as unknown as ReferenceLoops,
    memory,
    alloc(floats) {
      const offset = top;
      top += Math.ceil((floats * 4) / 16) * 16;
      const missing = top - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65536));
      return offset;
    },
    reset() {
      top = 16;
    },
  };
}
