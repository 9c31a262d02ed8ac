// Times one running workload with tinybench. A single step at 1K params takes about a
// microsecond, below what a timer sample resolves well, so each tinybench iteration runs a
// batch of `batch` steps, sized during warm-up to last about `batchMs`.
import { Bench } from "tinybench";
import type { Running } from "./impls/types.js";

export interface TimingSettings {
  /** Minimum warm-up, ms (default 0): V8 needs a few hundred calls to optimize a peer's JS (TF.js, jax-js). */
  readonly warmupMs?: number;
  /** Target duration of one timed batch, ms. */
  readonly batchMs: number;
  /** tinybench time budget per measurement, ms. */
  readonly timeMs: number;
  /** Minimum timed batches (fewer, but at least 2, when one batch is slower than `timeMs`). */
  readonly minSamples: number;
}

export interface Timing {
  /** Steps per timed batch. */
  batch: number;
  /** Timed batches. */
  samples: number;
  /** Median and mean time per step, µs. */
  stepMedianUs: number;
  stepMeanUs: number;
  /** Relative margin of error of the mean, %. */
  rme: number;
}

const MAX_BATCH = 1 << 16;

async function runBatch(running: Running, batch: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < batch; i++) running.step();
  if (running.settle) await running.settle();
  return performance.now() - start;
}

export async function time(running: Running, settings: TimingSettings): Promise<Timing> {
  // Warm-up doubles the batch until it lasts batchMs: this also creates lazily allocated
  // state, compiles jit functions and lets V8 optimize the step.
  let batch = 1;
  let elapsed = await runBatch(running, batch);
  let warm = elapsed;
  while (elapsed < settings.batchMs && batch < MAX_BATCH) {
    batch = Math.min(MAX_BATCH, batch * Math.max(2, Math.min(16, Math.floor(settings.batchMs / Math.max(elapsed, 1e-3)))));
    elapsed = await runBatch(running, batch);
    warm += elapsed;
  }
  while (warm < (settings.warmupMs ?? 0)) warm += elapsed = await runBatch(running, batch);
  const slow = elapsed > settings.timeMs;
  const bench = new Bench({ time: slow ? 0 : settings.timeMs, iterations: slow ? 2 : settings.minSamples, warmup: false, throws: true });
  const n = batch;
  if (running.settle) {
    const settle = running.settle.bind(running);
    bench.add("batch", async () => {
      for (let i = 0; i < n; i++) running.step();
      await settle();
    });
  } else {
    bench.add("batch", () => {
      for (let i = 0; i < n; i++) running.step();
    });
  }
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== "completed") throw new Error(`tinybench task ended in state ${result.state}`);
  return {
    batch,
    samples: result.latency.samplesCount,
    stepMedianUs: (result.latency.p50 * 1000) / batch,
    stepMeanUs: (result.latency.mean * 1000) / batch,
    rme: result.latency.rme,
  };
}
