import { KERNEL_CONTRACT, KERNEL_NAMES as ALL_KERNELS, halfOffsets, offsetCount, type KernelName as AnyKernel } from "../contract.js";

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

/** Which of those offsets are bfloat16 slots (bit i for argument i), moved 2 bytes a number instead of 4. */
export const KERNEL_HALVES = Object.fromEntries(KERNEL_NAMES.map((name) => [name, halfOffsets(name)])) as Record<KernelName, number>;

/** The element-wise kernels that return a number (a norm reduction) instead of writing memory; whole ones return theirs as they run. */
export const REDUCTIONS = KERNEL_NAMES.filter(isReduction);

/** The most arguments any kernel takes (adamBf16, nadamBf16, rmspropBf16: 19); the command block holds this many. */
export const MAX_ARGS = 20;
