import { OptimError } from "../errors.js";
import * as binaries from "./binaries.generated.js";
import { hasWasmSimd, wasmApi } from "./detect.js";
import { assertKernels } from "./contract.js";
import type { Backend } from "./types.js";

type Variant = keyof typeof binaries;

// One compiled module per binary, shared by every engine; instances are per memory.
const compiled = new Map<Variant, Promise<WebAssembly.Module>>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bytes = atob(text);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

function compile(api: typeof WebAssembly, variant: Variant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = api.compile(decodeBase64(binaries[variant]));
    // A failed compile (e.g. a Content-Security-Policy without 'wasm-unsafe-eval') may
    // succeed later under another policy: do not cache the failure.
    module.catch(() => compiled.delete(variant));
    compiled.set(variant, module);
  }
  return module;
}

/** Instantiates the SIMD or scalar kernels on the heap's memory. */
export async function createWasmBackend(simd: boolean, memory: WebAssembly.Memory, shared: boolean): Promise<Backend> {
  const api = wasmApi();
  if (!api) throw new OptimError("BACKEND_UNAVAILABLE", "WebAssembly is not available in this environment");
  if (simd && !hasWasmSimd()) throw new OptimError("BACKEND_UNAVAILABLE", "this engine does not support WebAssembly SIMD");
  const variant: Variant = simd ? (shared ? "simdShared" : "simd") : shared ? "scalarShared" : "scalar";
  const module = await compile(api, variant);
  const instance = await api.instantiate(module, { env: { memory } });
  const kernels = instance.exports;
  assertKernels(kernels);
  return { name: simd ? "wasm-simd" : "wasm", kernels, module };
}
