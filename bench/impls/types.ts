import type { BenchOptimizer } from "../optimizers.js";

/** One measurement's job: an optimizer over tensors of the given lengths (their sum is n). */
export interface Workload {
  readonly optimizer: BenchOptimizer;
  readonly lengths: readonly number[];
  readonly n: number;
}

/** A workload set up on one implementation, ready to step. */
export interface Running {
  /** One optimizer step over every tensor. */
  step(): void;
  /** Waits until queued steps have finished (for implementations that dispatch asynchronously). */
  settle?(): Promise<void>;
  dispose(): void;
}

/** One column of the results: our backend or a peer. */
export interface Impl {
  readonly id: string;
  readonly label: string;
  /** What it is, for the report (e.g. which wasm binary TF.js loaded). */
  describe?(): string;
  supports(optimizer: BenchOptimizer): boolean;
  start(workload: Workload): Promise<Running>;
}

/** Deterministic, gradient-like values in [−0.5, 0.5) (a small LCG; no Math.random, reproducible). */
export function fillValues(target: Float32Array, seed: number): void {
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < target.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    target[i] = state / 4294967296 - 0.5;
  }
}
