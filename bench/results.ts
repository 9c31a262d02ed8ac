// The shape of a run's raw results (written as JSON to out/bench/).
import type { AllocationReport } from "./allocation.js";
import type { Bandwidth } from "./bandwidth.js";
import type { GemmMeasurement } from "./gemm.js";
import type { Timing } from "./harness.js";
import type { LayoutId } from "./plan.js";
import type { Machine } from "./report/machine.js";

export interface Measurement {
  optimizer: string;
  layout: LayoutId;
  /** Total parameters updated per step. */
  n: number;
  tensors: number;
  impl: string;
  /** Parameters updated per second, from the median step time. */
  paramsPerSec?: number;
  timing?: Timing;
  /** Why there is no number (e.g. out of memory). */
  error?: string;
}

export interface ImplInfo {
  id: string;
  label: string;
  description?: string;
}

export interface RunResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  machine: Machine;
  impls: ImplInfo[];
  optimizers: { id: string; label: string }[];
  bandwidth?: Bandwidth;
  allocation: AllocationReport[];
  measurements: Measurement[];
  /** The GEMM kernel per backend (absent in results written before it existed). */
  gemm?: GemmMeasurement[];
}

export function find(results: RunResults, optimizer: string, layout: LayoutId, n: number | undefined, impl: string): Measurement | undefined {
  return results.measurements.find((m) => m.optimizer === optimizer && m.layout === layout && (n === undefined || m.n === n) && m.impl === impl);
}

export function rate(results: RunResults, optimizer: string, layout: LayoutId, n: number | undefined, impl: string): number | undefined {
  return find(results, optimizer, layout, n, impl)?.paramsPerSec;
}
