import type { Kernels } from "./contract.js";

export type { Kernels };

/** The backends, fastest first. */
export type BackendName = "wasm-simd" | "wasm" | "js";
export const BACKEND_NAMES: readonly BackendName[] = ["wasm-simd", "wasm", "js"];

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** @internal the compiled kernels (wasm backends), which worker threads instantiate too; internal: declarations name no WebAssembly type */
  readonly module?: WebAssembly.Module;
}
