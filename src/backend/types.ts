/** The backends, fastest first. */
export type BackendName = "wasm-simd" | "wasm" | "js";
export const BACKEND_NAMES: readonly BackendName[] = ["wasm-simd", "wasm", "js"];

/**
 * The kernels every backend implements with identical signatures: pointers are byte offsets
 * into the heap (16-byte aligned), `n` is a float count, scalars are float32 values computed
 * per step by the optimizer in float64. Booleans travel as 0/1 into wasm.
 * See assembly/ for the update each kernel performs.
 */
export interface Kernels {
  fill(ptr: number, n: number, value: number): void;
  sgd(p: number, g: number, n: number, lr: number, sign: number, weightDecay: number): void;
  sgdMomentum(
    p: number, g: number, buf: number, n: number,
    lr: number, sign: number, weightDecay: number, bufDecay: number, gradScale: number, mu: number, nesterov: boolean,
  ): void;
  adam(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    sign: number, weightDecay: number, decay: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    stepSize: number, epsHat: number, amsgrad: boolean,
  ): void;
}

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
}
