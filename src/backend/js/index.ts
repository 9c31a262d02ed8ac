import type { Heap } from "../../memory/heap.js";
import type { Kernels } from "../contract.js";
import { adafactorKernels } from "./adafactor.js";
import { adamKernels } from "./adam.js";
import { adamInt8Kernels } from "./adamInt8.js";
import { sgdInt8Kernels } from "./sgdInt8.js";
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
  return {
    ...opsKernels(heap),
    ...clipKernels(heap),
    ...sgdKernels(heap),
    ...adamKernels(heap),
    ...adamInt8Kernels(heap),
    ...sgdInt8Kernels(heap),
    ...adagradKernels(heap),
    ...rmspropKernels(heap),
    ...adadeltaKernels(heap),
    ...rpropKernels(heap),
    ...adamaxKernels(heap),
    ...nadamKernels(heap),
    ...lionKernels(heap),
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
