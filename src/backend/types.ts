import type { AdamKernels } from "./js/adam.js";
import type { ClipKernels } from "./js/clip.js";
import type { GemmKernels } from "./js/gemm.js";
import type { AdagradKernels } from "./js/adagrad.js";
import type { AdadeltaKernels } from "./js/adadelta.js";
import type { RmspropKernels } from "./js/rmsprop.js";
import type { RpropKernels } from "./js/rprop.js";
import type { AdamaxKernels } from "./js/adamax.js";
import type { NadamKernels } from "./js/nadam.js";
import type { LionKernels } from "./js/lion.js";
import type { AsgdKernels } from "./js/asgd.js";
import type { ScheduleFreeKernels } from "./js/schedulefree.js";
import type { OpsKernels } from "./js/ops.js";
import type { SgdKernels } from "./js/sgd.js";

/** The backends, fastest first. */
export type BackendName = "wasm-simd" | "wasm" | "js";
export const BACKEND_NAMES: readonly BackendName[] = ["wasm-simd", "wasm", "js"];

/**
 * The kernels every backend implements with identical signatures: pointers are byte offsets
 * into the heap (16-byte aligned), `n` is a float count, scalars are float32 values computed
 * per step by the optimizer in float64. Booleans travel as 0/1 into wasm. Each family declares
 * its kernels beside its js implementation (src/backend/js/<family>.ts) and its wasm one
 * (assembly/kernels/<family>.ts).
 */
export type Kernels = OpsKernels & ClipKernels & SgdKernels & AdamKernels
  & AdagradKernels & RmspropKernels & AdadeltaKernels & RpropKernels
  & AdamaxKernels & NadamKernels & LionKernels & GemmKernels
  & AsgdKernels & ScheduleFreeKernels;

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** @internal the compiled kernels (wasm backends), which worker threads instantiate too; internal: declarations name no WebAssembly type */
  readonly module?: WebAssembly.Module;
}
