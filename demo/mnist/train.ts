import { performance } from "node:perf_hooks";
import { clipGradNorm, Scheduler, type Engine, type ScheduleFreeAdamW, type ScheduleFreeSGD } from "../../src/index.js";
import type { Digits } from "./data.js";
import { Mlp, type Score } from "./model.js";
import type { RunSpec } from "./runs.js";
import type { MlpWeights } from "./weights.js";

/** Test accuracy that counts as "converged" in the summary (on 55,000 digits most runs pass 95% in epoch 1). */
export const TARGET_ACCURACY = 0.97;
/** Points per epoch on the training-loss curve. */
const CURVE_POINTS_PER_EPOCH = 10;

/** What every run shares, so runs differ only in the optimizer. */
export interface RunContext {
  readonly engine: Engine;
  readonly train: Digits;
  /** Scored after every epoch to choose learning rates by (the last 5,000 training digits). */
  readonly validation: Digits;
  /** The official 10,000 test digits: reported, never tuned on. */
  readonly test: Digits;
  readonly init: MlpWeights;
  /** One permutation of the training rows per epoch, the batch order of every run. */
  readonly orders: readonly Uint32Array[];
  readonly batchSize: number;
  /** Clip the gradients' total L2 norm to this before each step (clipGradNorm; not for closure optimizers, which re-evaluate the gradients); no clipping when absent. */
  readonly maxGradNorm?: number;
  /** The optimizers' state storage (--state-dtype); float32 when absent. */
  readonly stateDtype?: "float32" | "bfloat16" | "int8";
}

export interface EpochStats {
  /** 1-based. */
  epoch: number;
  /** Mean of the mini-batch losses during the epoch (weights changing as it goes). */
  trainLoss: number;
  validationLoss: number;
  validationAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** The lr the epoch's last step used. */
  lr: number;
  /** Milliseconds in the optimizer's part of the epoch: clipping (if on), step, schedule, zeroGrad. */
  stepMs: number;
  /** Milliseconds of the epoch's training pass: forward, backward, step (test scoring excluded). */
  epochMs: number;
}

export interface RunResult {
  id: string;
  label: string;
  lr: number;
  scheduled: boolean;
  /** Test score of the initial weights (the same for every run). */
  initial: Score;
  epochs: EpochStats[];
  /** [epoch as a fraction, mean training loss over the batches since the previous point]. */
  lossCurve: [number, number][];
  /** The first epoch whose test accuracy reached TARGET_ACCURACY, or null. */
  epochToTarget: number | null;
  finalTestAccuracy: number;
  finalValidationAccuracy: number;
  stepMs: number;
  trainMs: number;
}

/** Called after each curve point: batches done, batches in total, the latest loss. */
export type OnProgress = (done: number, total: number, epoch: number, loss: number) => void;

/** Trains a fresh copy of the initial weights with one optimizer and scores it after every epoch. */
export async function trainRun(spec: RunSpec, lr: number, ctx: RunContext, onProgress?: OnProgress): Promise<RunResult> {
  const { engine, train, validation, test, orders, batchSize, maxGradNorm } = ctx;
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  const totalSteps = stepsPerEpoch * orders.length;
  const model = new Mlp(engine, ctx.init);
  const params = model.params;
  const optimizer = spec.make(params, lr, ctx.stateDtype !== undefined && ctx.stateDtype !== "float32" ? { stateDtype: ctx.stateDtype } : undefined);
  const companion = spec.companion?.(params) ?? null;
  const average = spec.average?.(optimizer);
  try {
    const scheduler = spec.schedule ? new Scheduler(optimizer, spec.schedule(lr, totalSteps)) : null;
    const pointEvery = Math.max(1, Math.ceil(stepsPerEpoch / CURVE_POINTS_PER_EPOCH));
    const initial = model.evaluate(test);
    const epochs: EpochStats[] = [];
    const lossCurve: [number, number][] = [];
    let step = 0;
    let lastLr = lr;
    let order = orders[0];
    let batchStart = 0;
    let batchEnd = 0;
    let closureMs = 0;
    // For step(closure): gradients written afresh (not added) on the current batch; made once per run.
    const closure = () => {
      const t0 = performance.now();
      optimizer.zeroGrad();
      const loss = model.accumulateGradients(train, order, batchStart, batchEnd);
      closureMs += performance.now() - t0;
      return loss;
    };
    for (let e = 0; e < orders.length; e++) {
      order = orders[e];
      let stepMs = 0;
      let epochLoss = 0;
      let pointLoss = 0;
      let pointBatches = 0;
      const epochStart = performance.now();
      for (let b = 0; b < stepsPerEpoch; b++, step++) {
        batchStart = b * batchSize;
        batchEnd = Math.min(batchStart + batchSize, train.count);
        lastLr = optimizer.paramGroups[0].lr as number;
        let loss: number;
        if (spec.closure) {
          // The closure's forward/backward time is the model's, not the optimizer's.
          closureMs = 0;
          const t0 = performance.now();
          loss = optimizer.step(closure) as number;
          average?.update();
          stepMs += performance.now() - t0 - closureMs;
        } else {
          loss = model.accumulateGradients(train, order, batchStart, batchEnd);
          const t0 = performance.now();
          if (maxGradNorm !== undefined) clipGradNorm(params, maxGradNorm);
          optimizer.step();
          companion?.step();
          average?.update();
          stepMs += performance.now() - t0;
        }
        if (!Number.isFinite(loss)) throw new Error(`${spec.label}: the loss became ${loss} at step ${step} (lr ${lr} too high?)`);
        const t1 = performance.now();
        scheduler?.step();
        optimizer.zeroGrad();
        companion?.zeroGrad();
        stepMs += performance.now() - t1;
        epochLoss += loss;
        pointLoss += loss;
        if (++pointBatches === pointEvery || b === stepsPerEpoch - 1) {
          lossCurve.push([e + (b + 1) / stepsPerEpoch, pointLoss / pointBatches]);
          onProgress?.(step + 1, totalSteps, e + 1, pointLoss / pointBatches);
          pointLoss = pointBatches = 0;
        }
      }
      const epochMs = performance.now() - epochStart;
      const averaged = spec.averaged ? (optimizer as ScheduleFreeSGD | ScheduleFreeAdamW) : null;
      average?.swapIn();
      averaged?.eval();
      const held = model.evaluate(validation);
      const score = model.evaluate(test);
      averaged?.train();
      average?.swapOut();
      epochs.push({
        epoch: e + 1, trainLoss: epochLoss / stepsPerEpoch, validationLoss: held.loss, validationAccuracy: held.accuracy,
        testLoss: score.loss, testAccuracy: score.accuracy, lr: lastLr, stepMs, epochMs,
      });
      // Let timers (progress redraws, Ctrl-C) run between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reached = epochs.find((stats) => stats.testAccuracy >= TARGET_ACCURACY);
    return {
      id: spec.id,
      label: spec.label,
      lr,
      scheduled: spec.schedule !== undefined,
      initial,
      epochs,
      lossCurve,
      epochToTarget: reached?.epoch ?? null,
      finalTestAccuracy: epochs.at(-1)?.testAccuracy ?? initial.accuracy,
      finalValidationAccuracy: epochs.at(-1)?.validationAccuracy ?? Number.NaN,
      stepMs: epochs.reduce((total, stats) => total + stats.stepMs, 0),
      trainMs: epochs.reduce((total, stats) => total + stats.epochMs, 0),
    };
  } finally {
    average?.dispose();
    optimizer.dispose();
    companion?.dispose();
    model.dispose();
  }
}
