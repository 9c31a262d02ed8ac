// A threaded run whose bits must match between Node and Chromium. Like scenario.ts it takes the
// library as an argument, so the browser runs the Vite bundle and Node the sources through this code.
import type * as Library from "../../src/index.js";
import { uniform } from "../helpers/random.js";

export interface ThreadsResult {
  threads: number;
  warnings: string[];
  /** Every parameter and state buffer, as float32 bit patterns. */
  bits: number[];
}

// 3 tensors, 150,003 floats: two threads both take a share (over 2 × 16,384), norms span 10 blocks;
// Adam with float32 state, then with int8 state.
const LENGTHS = [100_001, 50_000, 2];

export async function runThreadsScenario(lib: typeof Library, threads: number): Promise<ThreadsResult> {
  const warnings: string[] = [];
  const engine = await lib.createEngine({ backend: "wasm-simd", threads, onWarning: (message) => warnings.push(message) });
  const bits: number[] = [];
  // float32 state, then int8 (its kernels split at 256-number blocks, each thread with its own scratch).
  for (const stateDtype of ["float32", "int8"] as const) {
    const params = LENGTHS.map((n, k) => engine.param(uniform(n, 3 + k)));
    const optimizer = new lib.Adam(params, { lr: 0.01, amsgrad: true, maxGradNorm: 5, stateDtype });
    for (let t = 1; t <= 4; t++) {
      params.forEach((p, k) => p.setGrad(uniform(p.length, 20 * t + k, -1, 1)));
      optimizer.step();
    }
    for (const p of params) {
      const state = optimizer.getState(p);
      for (const buffer of [p.data, state.expAvg, state.expAvgSq, state.maxExpAvgSq] as Float32Array[]) {
        bits.push(...new Uint32Array(buffer.slice().buffer));
      }
    }
  }
  const result = { threads: engine.threads, warnings, bits };
  engine.dispose();
  return result;
}
