// Feature detection, asked afresh whenever a backend is chosen (never cached at import time).

/** A module whose only function returns a v128 constant: valid exactly where SIMD is. */
const SIMD_PROBE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: v128.const …
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0x0b, // end
);

export function wasmApi(): typeof WebAssembly | undefined {
  const api = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  return typeof api?.instantiate === "function" ? api : undefined;
}

export function hasWasmSimd(): boolean {
  const api = wasmApi();
  if (!api) return false;
  try {
    return api.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
