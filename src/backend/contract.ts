import { OptimError } from "../errors.js";

// The kernel contract: every kernel's name and arguments, written once. The js backend implements
// it (the compiler checks each function against `Kernels`), the wasm exports are checked against it
// at build time (scripts/check-contract.ts reads the compiled modules' signatures) and when a module
// is instantiated (`assertKernels`), and the thread pool derives how to split each call from it.

/**
 * An argument: `name:kind`. Kinds: `ptr` a heap byte offset (16-byte aligned for the element-wise
 * kernels), `half` the byte offset of a bfloat16 state slot (2 bytes a number, 8-byte aligned),
 * `size` a count of floats, rows or columns, `f32` a float32 scalar (the optimizer computes it per
 * step in float64), `bool` a flag (0/1 in wasm), `u32` an unsigned 32-bit integer (a hash key, a
 * byte offset the thread split leaves as is); for int8 state slots, `codes` the byte offset of a
 * slot's codes (a byte a number), `scales` of its block scales (a float32 per 256 numbers), and
 * `scratch` a thread's work space (each thread of a split gets its own).
 */
type Arg = `${string}:${"ptr" | "half" | "codes" | "scales" | "scratch" | "size" | "f32" | "bool" | "u32"}`;

interface Signature {
  readonly args: readonly Arg[];
  /** What a reduction returns (the kind of its wasm result); nothing for kernels that write memory. */
  readonly returns?: "f64" | "f32";
  /**
   * true for kernels that are not element-wise (a matrix product; Adafactor's row and column
   * statistics, and its reductions that also write): they run whole on the calling thread. Every
   * other kernel is (ptrs…, n, scalars…) and may be split into chunks of its n.
   */
  readonly whole?: boolean;
}

/** An int8 slot's two offsets: its codes and its block scales. */
function int8Slots<N extends string>(name: N): readonly [`${N}:codes`, `${N}Scales:scales`] {
  return [`${name}:codes`, `${name}Scales:scales`];
}

/** The arguments every bfloat16-state kernel takes after its float32 twin's. */
const BF16_ARGS = ["stochastic:bool", "key:u32", "origin:u32"] as const;

export const KERNEL_CONTRACT = {
  fill: { args: ["ptr:ptr", "n:size", "value:f32"] },
  sumSquares: { args: ["ptr:ptr", "n:size"], returns: "f64" },
  maxAbs: { args: ["ptr:ptr", "n:size"], returns: "f32" },
  scale: { args: ["ptr:ptr", "n:size", "factor:f32"] },
  clamp: { args: ["ptr:ptr", "n:size", "lo:f32", "hi:f32"] },
  gemm: { args: ["c:ptr", "a:ptr", "b:ptr", "m:size", "n:size", "k:size", "transA:bool", "transB:bool"], whole: true },
  gemmSymmetric: { args: ["c:ptr", "a:ptr", "b:ptr", "n:size", "k:size"], whole: true },
  sgd: { args: ["p:ptr", "g:ptr", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32"] },
  sgdMomentum: {
    args: ["p:ptr", "g:ptr", "buf:ptr", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "bufDecay:f32", "bufGradScale:f32", "mu:f32", "nesterov:bool"],
  },
  adam: {
    args: [
      "p:ptr", "g:ptr", "m:ptr", "v:ptr", "vmax:ptr", "n:size", "gScale:f32", "weightDecay:f32", "decay:f32",
      "beta1:f32", "c1:f32", "beta2:f32", "c2:f32", "stepSize:f32", "epsHat:f32", "amsgrad:bool",
    ],
  },
  adagrad: { args: ["p:ptr", "g:ptr", "sum:ptr", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "epsIn:f32", "epsOut:f32"] },
  rmsprop: {
    args: [
      "p:ptr", "g:ptr", "sq:ptr", "buf:ptr", "gAvg:ptr", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "alpha:f32",
      "c:f32", "mu:f32", "epsIn:f32", "epsOut:f32", "useMomentum:bool", "centered:bool",
    ],
  },
  adadelta: {
    args: [
      "p:ptr", "g:ptr", "sq:ptr", "accDelta:ptr", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "rho:f32",
      "c:f32", "eps:f32", "previousSquareAvg:bool",
    ],
  },
  rprop: { args: ["p:ptr", "g:ptr", "prev:ptr", "stepSize:ptr", "n:size", "gScale:f32", "etaMinus:f32", "etaPlus:f32", "stepSizeMin:f32", "stepSizeMax:f32"] },
  adamax: {
    args: [
      "p:ptr", "g:ptr", "m:ptr", "u:ptr", "n:size", "gScale:f32", "weightDecay:f32", "beta1:f32", "c1:f32", "beta2:f32",
      "epsInMax:f32", "epsOutside:f32", "stepSize:f32",
    ],
  },
  nadam: {
    args: [
      "p:ptr", "g:ptr", "m:ptr", "v:ptr", "n:size", "gScale:f32", "wd:f32", "decay:f32", "beta1:f32", "weight1:f32",
      "beta2:f32", "weight2:f32", "gCoef:f32", "mCoef:f32", "epsHat:f32", "adaptive:bool",
    ],
  },
  lion: {
    args: ["p:ptr", "g:ptr", "m:ptr", "n:size", "gScale:f32", "decay:f32", "lr:f32", "beta1:f32", "c1:f32", "beta2:f32", "c2:f32"],
  },
  // The companions (src/wrappers/): weight averages, gradient accumulation, Lookahead.
  swap: { args: ["a:ptr", "b:ptr", "n:size"] },
  lerpAverage: { args: ["a:ptr", "x:ptr", "n:size", "w:f32"] },
  lerpStash: { args: ["a:ptr", "g:ptr", "s:ptr", "n:size", "w:f32"] },
  lookahead: { args: ["s:ptr", "fast:ptr", "n:size", "alpha:f32"] },
  muonMomentum: { args: ["g:ptr", "buf:ptr", "out:ptr", "n:size", "gScale:f32", "mu:f32", "oneMinusMu:f32", "nesterov:bool"] },
  muonAxpby: { args: ["x:ptr", "y:ptr", "n:size", "alpha:f32", "beta:f32"] },
  muonApply: { args: ["p:ptr", "o:ptr", "n:size", "decay:f32", "lr:f32"] },
  muonCopy: { args: ["dst:ptr", "src:ptr", "rows:size", "cols:size", "divisor:f32", "transpose:bool"], whole: true },
  // Adafactor, one parameter per call (assembly/kernels/adafactor.ts): a factored one is `batch`
  // matrices of rows × cols; only the 1-D update is element-wise.
  adafactorFactors: {
    args: ["g:ptr", "rowVar:ptr", "colVar:ptr", "batch:size", "rows:size", "cols:size", "gScale:f32", "weight:f32"],
    whole: true,
  },
  adafactorFactoredSq: {
    args: ["g:ptr", "rowVar:ptr", "colVar:ptr", "batch:size", "rows:size", "cols:size", "gScale:f32", "eps1:f32", "eps1Sq:f32"],
    returns: "f64",
    whole: true,
  },
  adafactorFactoredStep: {
    args: [
      "p:ptr", "g:ptr", "rowVar:ptr", "colVar:ptr", "batch:size", "rows:size", "cols:size",
      "gScale:f32", "eps1:f32", "eps1Sq:f32", "decay:f32", "stepSize:f32",
    ],
    whole: true,
  },
  adafactorVectorSq: { args: ["g:ptr", "v:ptr", "n:size", "gScale:f32", "weight:f32", "eps1Sq:f32"], returns: "f64", whole: true },
  adafactorVectorStep: { args: ["p:ptr", "g:ptr", "v:ptr", "n:size", "gScale:f32", "eps1Sq:f32", "decay:f32", "stepSize:f32"] },
  asgd: { args: ["p:ptr", "g:ptr", "ax:ptr", "n:size", "gScale:f32", "weightDecay:f32", "decay:f32", "eta:f32", "mu:f32", "average:bool"] },
  scheduleFreeSgd: {
    args: ["p:ptr", "g:ptr", "z:ptr", "n:size", "gScale:f32", "weightDecay:f32", "lerpCoef:f32", "yCoef:f32", "lr:f32", "fromZ:bool", "fresh:bool"],
  },
  scheduleFreeAdamW: {
    args: [
      "p:ptr", "g:ptr", "z:ptr", "v:ptr", "n:size", "gScale:f32", "weightDecay:f32", "beta2:f32", "c2:f32", "bcScale:f32",
      "epsHat:f32", "lerpCoef:f32", "yCoef:f32", "lr:f32", "fromZ:bool", "fresh:bool",
    ],
  },
  lerp: { args: ["p:ptr", "z:ptr", "n:size", "coef:f32", "fromZ:bool"] },
  // The same kernels over bfloat16 state (assembly/ops/storage.ts): each slot offset is `half`, and
  // three arguments follow: round stochastically, the step's hash key, the group's value block
  // (whose distance to p gives each element's index in the group, the stochastic hash's counter).
  adamBf16: {
    args: [
      "p:ptr", "g:ptr", "m:half", "v:half", "vmax:half", "n:size", "gScale:f32", "weightDecay:f32", "decay:f32",
      "beta1:f32", "c1:f32", "beta2:f32", "c2:f32", "stepSize:f32", "epsHat:f32", "amsgrad:bool", ...BF16_ARGS,
    ],
  },
  sgdMomentumBf16: {
    args: ["p:ptr", "g:ptr", "buf:half", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "bufDecay:f32", "bufGradScale:f32", "mu:f32", "nesterov:bool", ...BF16_ARGS],
  },
  adagradBf16: {
    args: ["p:ptr", "g:ptr", "sum:half", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "epsIn:f32", "epsOut:f32", ...BF16_ARGS],
  },
  rmspropBf16: {
    args: ["p:ptr", "g:ptr", "sq:half", "buf:half", "gAvg:half", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "alpha:f32", "c:f32", "mu:f32", "epsIn:f32", "epsOut:f32", "useMomentum:bool", "centered:bool", ...BF16_ARGS],
  },
  adadeltaBf16: {
    args: ["p:ptr", "g:ptr", "sq:half", "accDelta:half", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "rho:f32", "c:f32", "eps:f32", "previousSquareAvg:bool", ...BF16_ARGS],
  },
  rpropBf16: {
    args: ["p:ptr", "g:ptr", "prev:half", "stepSize:half", "n:size", "gScale:f32", "etaMinus:f32", "etaPlus:f32", "stepSizeMin:f32", "stepSizeMax:f32", ...BF16_ARGS],
  },
  adamaxBf16: {
    args: ["p:ptr", "g:ptr", "m:half", "u:half", "n:size", "gScale:f32", "weightDecay:f32", "beta1:f32", "c1:f32", "beta2:f32", "epsInMax:f32", "epsOutside:f32", "stepSize:f32", ...BF16_ARGS],
  },
  nadamBf16: {
    args: ["p:ptr", "g:ptr", "m:half", "v:half", "n:size", "gScale:f32", "wd:f32", "decay:f32", "beta1:f32", "weight1:f32", "beta2:f32", "weight2:f32", "gCoef:f32", "mCoef:f32", "epsHat:f32", "adaptive:bool", ...BF16_ARGS],
  },
  lionBf16: {
    args: ["p:ptr", "g:ptr", "m:half", "n:size", "gScale:f32", "decay:f32", "lr:f32", "beta1:f32", "c1:f32", "beta2:f32", "c2:f32", ...BF16_ARGS],
  },
  // The same kernels over block-wise 8-bit state (assembly/kernels/int8.ts): each slot is two
  // offsets, `codes` (a byte a number) and `scales` (a float32 per 256 numbers), and `scratch` is a
  // thread's 3 KiB of float32 work space. A thread split cuts them at 256-number blocks.
  sgdMomentumInt8: {
    args: ["p:ptr", "g:ptr", ...int8Slots("buf"), "scratch:scratch", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "bufDecay:f32", "bufGradScale:f32", "mu:f32", "nesterov:bool"],
  },
  adamInt8: {
    args: [
      "p:ptr", "g:ptr", ...int8Slots("m"), ...int8Slots("v"), ...int8Slots("vmax"), "scratch:scratch", "n:size", "gScale:f32", "weightDecay:f32",
      "decay:f32", "beta1:f32", "c1:f32", "beta2:f32", "c2:f32", "stepSize:f32", "epsHat:f32", "amsgrad:bool",
    ],
  },
  adagradInt8: { args: ["p:ptr", "g:ptr", ...int8Slots("sum"), "scratch:scratch", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "epsIn:f32", "epsOut:f32"] },
  rmspropInt8: {
    args: [
      "p:ptr", "g:ptr", ...int8Slots("sq"), ...int8Slots("buf"), ...int8Slots("gAvg"), "scratch:scratch", "n:size", "lr:f32", "gScale:f32",
      "weightDecay:f32", "alpha:f32", "c:f32", "mu:f32", "epsIn:f32", "epsOut:f32", "useMomentum:bool", "centered:bool",
    ],
  },
  adadeltaInt8: {
    args: ["p:ptr", "g:ptr", ...int8Slots("sq"), ...int8Slots("accDelta"), "scratch:scratch", "n:size", "lr:f32", "gScale:f32", "weightDecay:f32", "rho:f32", "c:f32", "eps:f32", "previousSquareAvg:bool"],
  },
  rpropInt8: {
    args: ["p:ptr", "g:ptr", ...int8Slots("prev"), ...int8Slots("stepSize"), "scratch:scratch", "n:size", "gScale:f32", "etaMinus:f32", "etaPlus:f32", "stepSizeMin:f32", "stepSizeMax:f32"],
  },
  adamaxInt8: {
    args: ["p:ptr", "g:ptr", ...int8Slots("m"), ...int8Slots("u"), "scratch:scratch", "n:size", "gScale:f32", "weightDecay:f32", "beta1:f32", "c1:f32", "beta2:f32", "epsInMax:f32", "epsOutside:f32", "stepSize:f32"],
  },
  nadamInt8: {
    args: [
      "p:ptr", "g:ptr", ...int8Slots("m"), ...int8Slots("v"), "scratch:scratch", "n:size", "gScale:f32", "wd:f32", "decay:f32", "beta1:f32",
      "weight1:f32", "beta2:f32", "weight2:f32", "gCoef:f32", "mCoef:f32", "epsHat:f32", "adaptive:bool",
    ],
  },
  lionInt8: { args: ["p:ptr", "g:ptr", ...int8Slots("m"), "scratch:scratch", "n:size", "gScale:f32", "decay:f32", "lr:f32", "beta1:f32", "c1:f32", "beta2:f32", "c2:f32"] },
} as const satisfies Record<string, Signature>;

export type KernelName = keyof typeof KERNEL_CONTRACT;

type ArgValue<A> = A extends `${string}:bool` ? boolean : number;
type ArgValues<A extends readonly Arg[]> = { -readonly [I in keyof A]: ArgValue<A[I]> };
type Args<S extends Signature> = ArgValues<S["args"]>;
type Result<S extends Signature> = S extends { returns: string } ? number : void;

/** The kernels every backend implements, typed from the contract. */
export type Kernels = { readonly [K in KernelName]: (...args: Args<(typeof KERNEL_CONTRACT)[K]>) => Result<(typeof KERNEL_CONTRACT)[K]> };

export const KERNEL_NAMES = Object.keys(KERNEL_CONTRACT) as KernelName[];

/** The kind of each argument of a kernel, in order. */
export function argKinds(name: KernelName): string[] {
  return KERNEL_CONTRACT[name].args.map((arg) => arg.slice(arg.indexOf(":") + 1));
}

/** How each leading offset of an element-wise kernel moves in a thread split (its kind: ptr, half, codes, scales or scratch). */
export function offsetKinds(name: KernelName): OffsetKind[] {
  return argKinds(name).slice(0, offsetCount(name)) as OffsetKind[];
}

export type OffsetKind = "ptr" | "half" | "codes" | "scales" | "scratch";

/** How many leading arguments of an element-wise kernel are heap offsets, that is, where its `n` is. */
export function offsetCount(name: KernelName): number {
  return argKinds(name).indexOf("size");
}

/**
 * @internal (declarations name no WebAssembly type)
 * Checks that each kernel of the contract is an exported function taking as many arguments as the
 * contract says. A module built from another version of assembly/ fails here, naming the kernel,
 * instead of misbehaving at its first call. (Argument kinds are checked at build time.)
 */
export function assertKernels(exports: WebAssembly.Exports): asserts exports is WebAssembly.Exports & Kernels {
  for (const name of KERNEL_NAMES) {
    const fn = exports[name];
    const arity = KERNEL_CONTRACT[name].args.length;
    if (typeof fn !== "function" || fn.length !== arity) {
      throw new OptimError("BACKEND_UNAVAILABLE", `the wasm module does not match the kernel contract: ${name} should be a function of ${arity} arguments`);
    }
  }
}
