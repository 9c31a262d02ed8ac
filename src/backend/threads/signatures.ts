import type { Kernels } from "../types.js";

/**
 * How many leading arguments of each kernel are byte offsets into the heap. Every kernel's
 * signature is (offsets…, n, scalars…), so this one number says where `n` is and which arguments
 * move when a call is split into chunks: the thread pool derives every split from this table.
 * `satisfies` makes the compiler reject a kernel added to Kernels without an entry here.
 */
/** Kernels that are not element-wise (the model's matrix product): they run whole on the calling thread. */
export const CALLER_KERNELS = ["gemm"] as const satisfies readonly (keyof Kernels)[];
type CallerKernel = (typeof CALLER_KERNELS)[number];

export const KERNEL_OFFSETS = {
  fill: 1,
  sumSquares: 1,
  maxAbs: 1,
  scale: 1,
  clamp: 1,
  sgd: 2,
  sgdMomentum: 3,
  adam: 5,
  adagrad: 3,
  rmsprop: 5,
  adadelta: 4,
  rprop: 4,
  adamax: 4,
  nadam: 4,
  lion: 3,
  asgd: 3,
  scheduleFreeSgd: 3,
  scheduleFreeAdamW: 4,
  lerp: 2,
} as const satisfies { readonly [K in Exclude<keyof Kernels, CallerKernel>]: number };

export type KernelName = keyof typeof KERNEL_OFFSETS;

/** Kernel ids, as the command block carries them: the index in this list. */
export const KERNEL_NAMES = Object.keys(KERNEL_OFFSETS) as KernelName[];

/** The kernels that return a number (a norm reduction) instead of writing memory. */
export const REDUCTIONS = ["sumSquares", "maxAbs"] as const satisfies readonly KernelName[];

/** The most arguments any kernel takes (adam, nadam, rmsprop: 16); the command block holds this many. */
export const MAX_ARGS = 16;
