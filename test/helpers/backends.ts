import { createEngine, type BackendName, type Engine } from "../../src/index.js";
import { hasWasmSimd } from "../../src/backend/detect.js";

/** Every backend this environment can run: the tests cover each. */
export const BACKENDS: readonly BackendName[] = hasWasmSimd() ? ["wasm-simd", "wasm", "js"] : ["wasm", "js"];

/** Lengths that exercise the SIMD body and every scalar-tail length (n % 4 = 0..3). */
export const SIZES = [0, 1, 3, 4, 5, 17, 1025, 100003] as const;

export function engineFor(backend: BackendName): Promise<Engine> {
  return createEngine({ backend });
}
