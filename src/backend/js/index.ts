import type { Heap } from "../../memory/heap.js";
import type { Kernels } from "../contract.js";
import { adafactorKernels } from "./adafactor.js";
import { adamKernels } from "./adam.js";
import { int8Kernels } from "./int8.js";
import { clipKernels } from "./clip.js";
import { gemmKernels } from "./gemm.js";
import { adagradKernels } from "./adagrad.js";
import { adadeltaKernels } from "./adadelta.js";
import { rmspropKernels } from "./rmsprop.js";
import { rpropKernels } from "./rprop.js";
import { adamaxKernels } from "./adamax.js";
import { nadamKernels } from "./nadam.js";
import { lionKernels } from "./lion.js";
import { muonKernels } from "./muon.js";
import { asgdKernels } from "./asgd.js";
import { scheduleFreeKernels } from "./schedulefree.js";
import { opsKernels } from "./ops.js";
import { sgdKernels } from "./sgd.js";
import { averageKernels } from "./average.js";
import { lookaheadKernels } from "./lookahead.js";
import { swapKernels } from "./swap.js";

/** Every kernel, in plain JS over the heap's Float32Array (one file per family). */
export function createJsKernels(heap: Heap): Kernels {
  const float32 = {
    ...sgdKernels(heap),
    ...adamKernels(heap),
    ...adagradKernels(heap),
    ...rmspropKernels(heap),
    ...adadeltaKernels(heap),
    ...rpropKernels(heap),
    ...adamaxKernels(heap),
    ...nadamKernels(heap),
    ...lionKernels(heap),
  };
  return {
    ...float32,
    ...int8Kernels(heap, float32),
    ...opsKernels(heap),
    ...clipKernels(heap),
    ...adafactorKernels(heap),
    ...gemmKernels(heap),
    ...swapKernels(heap),
    ...averageKernels(heap),
    ...lookaheadKernels(heap),
    ...muonKernels(heap),
    ...asgdKernels(heap),
    ...scheduleFreeKernels(heap),
  };
}
