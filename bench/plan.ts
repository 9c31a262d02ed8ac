// What a run measures: sizes, tensor layouts and time budgets, for the full run and --quick.
import type { TimingSettings } from "./harness.js";

export const K = 1024;
export const M = 1024 * 1024;

/** Total parameter counts N of the full run: 1K, 16K, 256K, 1M, 4M, 16M. */
export const FULL_SIZES = [K, 16 * K, 256 * K, M, 4 * M, 16 * M] as const;
/** The smoke run: small enough for CI, still every code path. */
export const QUICK_SIZES = [K, 16 * K] as const;

export type LayoutId = "one" | "model" | "many";

export interface Layout {
  readonly id: LayoutId;
  readonly label: string;
  /** Tensor lengths for a total of n (the "many" layout ignores n). */
  lengths(n: number): number[];
}

/** One tensor of N. */
const one: Layout = { id: "one", label: "1 tensor", lengths: (n) => [n] };

/**
 * A model-like set of 20 tensors summing to N: 10 layers, each a square weight matrix and its
 * bias (a layer of width w has w² + w parameters), with the remainder spread over the weights.
 */
const model: Layout = {
  id: "model",
  label: "20 tensors",
  lengths(n) {
    const perLayer = Math.floor(n / 10);
    const bias = Math.max(1, Math.floor(Math.sqrt(perLayer)));
    const lengths: number[] = [];
    for (let layer = 0; layer < 10; layer++) {
      const extra = layer < n - perLayer * 10 ? 1 : 0;
      lengths.push(perLayer - bias + extra, bias);
    }
    return lengths;
  },
};

/** 1,000 tensors of 1K (quick: 10), compared with one tensor of about the same total. */
export function manyLayout(count: number): Layout {
  return { id: "many", label: `${count} tensors of 1K`, lengths: () => new Array<number>(count).fill(K) };
}

export interface Plan {
  readonly quick: boolean;
  readonly sizes: readonly number[];
  readonly layouts: readonly Layout[];
  /** The "many" layout's tensor count. */
  readonly manyCount: number;
  readonly timing: TimingSettings;
  /** Floats per array of the bandwidth probe. */
  readonly bandwidthFloats: number;
  /** Steps of the allocation report. */
  readonly allocationSteps: number;
}

export function makePlan(quick: boolean, sizes?: readonly number[]): Plan {
  const manyCount = quick ? 10 : 1000;
  return {
    quick,
    sizes: sizes ?? (quick ? QUICK_SIZES : FULL_SIZES),
    layouts: [model, one, manyLayout(manyCount)],
    manyCount,
    timing: quick ? { warmupMs: 10, batchMs: 1, timeMs: 20, minSamples: 2 } : { warmupMs: 250, batchMs: 5, timeMs: 400, minSamples: 5 },
    bandwidthFloats: quick ? M : 16 * M,
    allocationSteps: quick ? 1000 : 10_000,
  };
}

/** "1K", "256K", "16M". */
export function formatSize(n: number): string {
  if (n >= M && n % M === 0) return `${n / M}M`;
  if (n >= K && n % K === 0) return `${n / K}K`;
  return n.toLocaleString("en-US");
}

/** Parses "1K,16K,1M" (K = 1024, M = 1024²). */
export function parseSizes(text: string): number[] {
  return text.split(",").map((part) => {
    const match = /^(\d+)([KM]?)$/i.exec(part.trim());
    if (!match) throw new Error(`cannot read size ${JSON.stringify(part)}: use e.g. 1K, 16K, 1M`);
    return Number(match[1]) * (match[2].toUpperCase() === "M" ? M : match[2].toUpperCase() === "K" ? K : 1);
  });
}
