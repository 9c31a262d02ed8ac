import { BLOCK as INT8_BLOCK, SCRATCH_BYTES as INT8_SCRATCH_BYTES } from "../js/int8.js";
import { KERNEL_CONTRACT, KERNEL_NAMES as ALL_KERNELS, offsetKinds, offsetCount, type OffsetKind, type KernelName as AnyKernel } from "../contract.js";

// How the thread pool treats each kernel, derived from the kernel contract: a kernel added there
// needs no entry here.

type Contract = typeof KERNEL_CONTRACT;
type Whole = { [K in AnyKernel]: Contract[K] extends { whole: true } ? K : never }[AnyKernel];
type Reduction = { [K in AnyKernel]: Contract[K] extends { returns: string } ? K : never }[AnyKernel];

/** The element-wise kernels: (offsets…, n, scalars…), split into chunks of n. */
export type KernelName = Exclude<AnyKernel, Whole>;

const isWhole = (name: AnyKernel): name is Whole => "whole" in KERNEL_CONTRACT[name];
const isElementwise = (name: AnyKernel): name is KernelName => !isWhole(name);
const isReduction = (name: AnyKernel): name is Reduction => "returns" in KERNEL_CONTRACT[name];

/** Kernels that are not element-wise (the model's matrix product): they run whole on the calling thread. */
export const CALLER_KERNELS = ALL_KERNELS.filter(isWhole);

/** Kernel ids, as the command block carries them: the index in this list. */
export const KERNEL_NAMES = ALL_KERNELS.filter(isElementwise);

/** How many leading arguments of each element-wise kernel are heap offsets: where its `n` is. */
export const KERNEL_OFFSETS = Object.fromEntries(KERNEL_NAMES.map((name) => [name, offsetCount(name)])) as Record<KernelName, number>;

/**
 * How a chunk starting at float `start` (chunk number `index` of the split) moves each offset: a
 * float32 array 4 bytes a number, a bfloat16 slot 2, int8 codes 1, int8 scales 4 per 256 numbers
 * (chunks of these kernels start at 256-number blocks), a scratch by one thread's share.
 */
export const KERNEL_MOVES = Object.fromEntries(KERNEL_NAMES.map((name) => [name, offsetKinds(name).map(moveOf)])) as Record<KernelName, Move[]>;

/** The numbers each chunk of a kernel's split is a multiple of: 4 (16-byte-aligned float offsets), or 256 for int8 state (its blocks). */
export const KERNEL_GRAIN = Object.fromEntries(KERNEL_NAMES.map((name) => [name, offsetKinds(name).includes("codes") ? INT8_BLOCK : 4])) as Record<KernelName, number>;

/** (bytes per number, bytes per chunk index): an offset moves bytesPerNumber·start + bytesPerIndex·index. */
export type Move = readonly [perNumber: number, perIndex: number];

function moveOf(kind: OffsetKind): Move {
  switch (kind) {
    case "ptr": return [4, 0];
    case "half": return [2, 0];
    case "codes": return [1, 0];
    case "scales": return [4 / INT8_BLOCK, 0];
    case "scratch": return [0, INT8_SCRATCH_BYTES];
  }
}

/** The element-wise kernels that return a number (a norm reduction) instead of writing memory; whole ones return theirs as they run. */
export const REDUCTIONS = KERNEL_NAMES.filter(isReduction);

/** The most arguments any kernel takes (adamInt8, rmspropInt8: 20); the command block holds this many. */
export const MAX_ARGS = 20;
