import { mix } from "../state/bfloat16.js";
import { SLOT_DTYPES, type SlotDtype } from "../state/layout.js";
import { invalid } from "../validation.js";

// How an element-wise optimizer stores its state slots: the options, their checks, and the per-step
// key of stochastic rounding. Fixed at construction: changing precision mid-training goes through
// saveState → a new optimizer → loadState, which converts.

/** The state storage options of every element-wise family (constructor options, optimizer-wide). */
export interface StateStorageOptions<D extends SlotDtype = SlotDtype> {
  /**
   * How state slots are stored: "float32" (default, 4 bytes a number), "bfloat16" (2 bytes: the
   * top half of a float32, 8 bits of mantissa), or "int8" (a byte per number plus a float32 scale
   * per 256: block-wise 8-bit floats relative to each block's absmax, as in bitsandbytes' 8-bit
   * optimizers). Compact state is dequantized, updated in float32 and stored again in the same
   * kernel call. The families with per-element state take both; the others refuse them.
   */
  stateDtype?: D;
  /**
   * bfloat16 only: round state stochastically (up with probability equal to the cut-off fraction,
   * so unbiased in the mean) instead of to nearest even. The random bits are a hash of
   * (roundingSeed, group, step, slot, element index in the group): the same on every backend and
   * thread count. Default false.
   */
  stochasticRounding?: boolean;
  /** The seed of stochastic rounding, an integer in [0, 2³²) (default 0). */
  roundingSeed?: number;
}

export const STORAGE_OPTION_KEYS: readonly string[] = ["stateDtype", "stochasticRounding", "roundingSeed"];

/** The checked storage of one optimizer. */
export interface StateStorage {
  readonly dtype: SlotDtype;
  readonly stochastic: boolean;
  readonly seed: number;
}

/**
 * Reads and checks the storage options among a constructor's options (own keys only); throws
 * INVALID_HYPERPARAMETER. `bfloat16`: whether the family has bfloat16 kernels.
 */
export function stateStorage(kind: string, options: unknown, bfloat16: boolean, int8 = false): StateStorage {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return { dtype: "float32", stochastic: false, seed: 0 };
  // Only an absent (or undefined) option takes its default: null is refused like any other wrong type.
  const own = (key: string, otherwise: unknown): unknown => {
    const value = Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined;
    return value === undefined ? otherwise : value;
  };
  const dtype = own("stateDtype", "float32");
  if (!SLOT_DTYPES.includes(dtype as SlotDtype)) invalid(kind, "stateDtype", dtype, `one of ${SLOT_DTYPES.map((d) => `"${d}"`).join(", ")}`);
  if (dtype === "bfloat16" && !bfloat16) invalid(kind, "stateDtype", dtype, `"float32" (${kind} has no bfloat16 kernels)`);
  if (dtype === "int8" && !int8) invalid(kind, "stateDtype", dtype, `${bfloat16 ? '"float32" or "bfloat16"' : '"float32"'} (${kind} has no int8 kernels)`);
  const stochastic = own("stochasticRounding", false);
  if (typeof stochastic !== "boolean") invalid(kind, "stochasticRounding", stochastic, "a boolean");
  if (stochastic && dtype !== "bfloat16") invalid(kind, "stochasticRounding", stochastic, 'false unless stateDtype is "bfloat16"');
  const seed = own("roundingSeed", 0);
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) invalid(kind, "roundingSeed", seed, "an integer in [0, 2^32)");
  return { dtype: dtype as SlotDtype, stochastic, seed };
}

/** The constructor options without the storage ones, for the group layer (which knows none of them). */
export function withoutStorageOptions<T>(options: T): T {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return options;
  const rest = { ...options } as Record<string, unknown>;
  for (const key of STORAGE_OPTION_KEYS) delete rest[key];
  return rest as T;
}

/**
 * The stochastic-rounding key of a group's step: seed, group index and step count mixed (the step in
 * two 32-bit halves: counts go to 2⁴⁰). Kernels mix it with each slot and element index.
 */
export function roundingKey(seed: number, group: number, step: number): number {
  let key = mix(seed >>> 0);
  key = mix((key ^ group) >>> 0);
  key = mix((key ^ step % 2 ** 32) >>> 0);
  return mix((key ^ Math.floor(step / 2 ** 32)) >>> 0);
}
