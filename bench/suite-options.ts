// The command line of the small side suites (bench/clip.ts, bench/companions.ts): sizes, backends,
// interleaved repeats and time budgets, parsed once here.
import { Command } from "commander";
import { hasWasmSimd } from "../src/backend/detect.js";
import type { BackendName } from "../src/index.js";
import type { TimingSettings } from "./harness.js";
import { parseSizes } from "./plan.js";

export interface SuiteOptions {
  sizes: number[];
  backends: BackendName[];
  /** How many times each cell is measured, interleaved; the fastest is kept (the least disturbed on a shared machine). */
  repeats: number;
  timing: TimingSettings;
}

export function suiteOptions(defaults: { sizes: string; repeats: number; repeatsHelp: string }): SuiteOptions {
  const options = new Command()
    .option("--sizes <sizes>", "comma-separated N", defaults.sizes)
    .option("--backends <names>", "comma-separated backends (default: all available)")
    .option("--repeats <n>", defaults.repeatsHelp, String(defaults.repeats))
    .option("--quick", "tiny time budgets")
    .parse()
    .opts<{ sizes: string; backends?: string; repeats: string; quick?: boolean }>();
  const available: BackendName[] = hasWasmSimd() ? ["wasm-simd", "wasm", "js"] : ["wasm", "js"];
  return {
    sizes: parseSizes(options.sizes),
    backends: options.backends ? (options.backends.split(",") as BackendName[]) : available,
    repeats: Math.max(1, Number(options.repeats)),
    timing: options.quick ? { batchMs: 1, timeMs: 20, minSamples: 2 } : { batchMs: 5, timeMs: 400, minSamples: 5 },
  };
}
