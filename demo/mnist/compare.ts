import { performance } from "node:perf_hooks";
import { createEngine, type BackendChoice, type BackendName } from "../../src/index.js";
import { loadMnist, rowRange, splitValidation, type Digits } from "./data.js";
import { permutation, seededRandom } from "./random.js";
import type { RunSpec } from "./runs.js";
import { trainRun, type OnProgress, type RunResult } from "./train.js";
import { initialWeights } from "./weights.js";

export interface CompareConfig {
  runs: readonly RunSpec[];
  /** Learning rates by run id, overriding each spec's default. */
  lrs: Readonly<Record<string, number>>;
  epochs: number;
  batchSize: number;
  /** Seeds the initial weights and the batch order (the train/validation/test split is fixed). */
  seed: number;
  backend: BackendChoice;
  /** Threads the kernels run on (createEngine's option); 1 when absent. Results are the same bits for any count. */
  threads?: number;
  /** Train on only the first n of the 55,000 training digits (for quick checks); all when absent. */
  trainSamples?: number;
  /** Score on only the first n validation and test digits (fast tests); all when absent. */
  scoreSamples?: number;
  /** Clip each step's gradients to this total L2 norm; no clipping when absent. */
  maxGradNorm?: number;
  /** The optimizers' state storage (element-wise families); float32 when absent. */
  stateDtype?: "float32" | "bfloat16" | "int8";
}

export interface Comparison {
  backend: BackendName;
  epochs: number;
  batchSize: number;
  seed: number;
  maxGradNorm: number | null;
  trainCount: number;
  validationCount: number;
  testCount: number;
  runs: RunResult[];
  /** Wall time of the whole comparison, data loading included. */
  totalMs: number;
}

export interface CompareHooks {
  /** Called when a run starts; returns the progress callback for that run. */
  onRunStart?(spec: RunSpec, lr: number, index: number): OnProgress | undefined;
  onRunEnd?(result: RunResult): void;
}

/** Trains the same model, from the same initial weights, in the same batch order, with each optimizer. */
export async function compareOptimizers(config: CompareConfig, hooks: CompareHooks = {}): Promise<Comparison> {
  const started = performance.now();
  const mnist = loadMnist();
  const split = splitValidation(mnist.train);
  const first = (digits: Digits, n = digits.count) => rowRange(digits, 0, Math.min(n, digits.count));
  const train = first(split.train, config.trainSamples);
  const validation = first(split.validation, config.scoreSamples);
  const test = first(mnist.test, config.scoreSamples);
  const init = initialWeights(config.seed);
  // A separate stream for the batch order, so it does not depend on how many weights were drawn.
  const nextOrder = seededRandom(config.seed ^ 0x5bd1e995);
  const orders = Array.from({ length: config.epochs }, () => permutation(train.count, nextOrder));
  const engine = await createEngine({ backend: config.backend, threads: config.threads ?? 1 });
  try {
    const context = { engine, train, validation, test, init, orders, batchSize: config.batchSize, maxGradNorm: config.maxGradNorm, stateDtype: config.stateDtype };
    const runs: RunResult[] = [];
    for (const [index, spec] of config.runs.entries()) {
      const lr = config.lrs[spec.id] ?? spec.lr;
      const onProgress = hooks.onRunStart?.(spec, lr, index);
      const result = await trainRun(spec, lr, context, onProgress);
      hooks.onRunEnd?.(result);
      runs.push(result);
    }
    return {
      backend: engine.backend,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      maxGradNorm: config.maxGradNorm ?? null,
      trainCount: train.count,
      validationCount: validation.count,
      testCount: test.count,
      runs,
      totalMs: performance.now() - started,
    };
  } finally {
    engine.dispose();
  }
}
