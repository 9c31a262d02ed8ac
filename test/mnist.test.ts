import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCli } from "../demo/mnist/cli.js";
import { compareOptimizers, type CompareConfig, type Comparison } from "../demo/mnist/compare.js";
import { CLASSES, IMAGE_SIZE, loadMnist, splitValidation, type Mnist } from "../demo/mnist/data.js";
import { writeReport } from "../demo/mnist/report.js";
import { selectRuns } from "../demo/mnist/runs.js";
import { meanAndError, seedTable } from "../demo/mnist/seeds.js";
import { tuneScore } from "../demo/mnist/tune.js";
import { comparisonTables, markdownTable } from "../demo/mnist/table.js";

// The tiny configuration: two short epochs (2,000 digits, 63 batches each), two optimizers, scored
// on the first 1,000 validation and test digits (after one epoch, SGD+momentum had 77.4% there).
const tiny = (overrides: Partial<CompareConfig> = {}): CompareConfig => ({
  runs: selectRuns(["sgd-momentum", "adam"]),
  lrs: {},
  epochs: 2,
  batchSize: 32,
  seed: 7,
  backend: "wasm-simd",
  trainSamples: 2000,
  scoreSamples: 1000,
  ...overrides,
});

/** Everything a run measured except wall-clock times, which differ between identical runs. */
const numbers = (c: Comparison) =>
  c.runs.map((run) => ({
    initial: run.initial,
    curve: run.lossCurve,
    epochs: run.epochs.map(({ trainLoss, validationLoss, validationAccuracy, testLoss, testAccuracy, lr }) =>
      ({ trainLoss, validationLoss, validationAccuracy, testLoss, testAccuracy, lr })),
  }));

describe("MNIST data", () => {
  let mnist: Mnist;
  beforeAll(() => {
    mnist = loadMnist();
  });

  it("loads the official split: 60,000 training and 10,000 test digits, every class, grey levels in [0, 1]", () => {
    const { train, test } = mnist;
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    const perClass = (labels: Uint8Array) => {
      const counts = new Array<number>(CLASSES).fill(0);
      for (const label of labels) counts[label]++;
      return counts;
    };
    // The class counts of the original files, as tabulated by e.g. torchvision or TF Datasets' MNIST.
    expect(perClass(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(perClass(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first training labels of MNIST: 5 0 4 1 9 2 1 3 1 4.
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(train.images.length).toBe(60_000 * IMAGE_SIZE);
    let min = Infinity, max = -Infinity, lit = 0;
    for (const x of train.images) {
      if (x < min) min = x;
      if (x > max) max = x;
      if (x !== 0) lit++;
    }
    expect([min, max]).toEqual([0, 1]);
    // Real handwriting lights a fraction of the 784 pixels: about 19% on average.
    expect(lit / train.count).toBeGreaterThan(0.1 * IMAGE_SIZE);
    expect(lit / train.count).toBeLessThan(0.3 * IMAGE_SIZE);
    expect(loadMnist()).toBe(mnist); // parsed once per process
  });

  it("holds out the last 5,000 training digits for validation", () => {
    const { train, validation } = splitValidation(mnist.train);
    expect([train.count, validation.count]).toEqual([55_000, 5_000]);
    expect(validation.labels).toEqual(mnist.train.labels.subarray(55_000));
    expect(validation.images[0]).toBe(mnist.train.images[55_000 * IMAGE_SIZE]);
    expect(train.images.length + validation.images.length).toBe(mnist.train.images.length);
  });
});

describe("the MNIST comparison, tiny configuration", () => {
  let simd: Comparison;
  beforeAll(async () => {
    simd = await compareOptimizers(tiny());
  });

  it("learns from 2,000 digits: the loss halves and accuracy passes 80%, with both optimizers", () => {
    expect(simd.runs.map((run) => run.id)).toEqual(["sgd-momentum", "adam"]);
    for (const run of simd.runs) {
      expect(run.initial.accuracy).toBeLessThan(0.3); // untrained: near chance (10%)
      const curve = run.lossCurve.map(([, loss]) => loss);
      expect(curve.at(-1)!).toBeLessThan(0.5 * curve[0]);
      expect(run.epochs[0].testLoss).toBeLessThan(0.5 * run.initial.loss);
      expect(run.finalTestAccuracy).toBeGreaterThan(0.8);
      expect(run.finalValidationAccuracy).toBeGreaterThan(0.8);
      expect(run.stepMs).toBeGreaterThan(0);
      expect(run.stepMs).toBeLessThan(run.trainMs);
    }
  });

  it("gives the same numbers on the js backend as on wasm-simd, bit for bit", async () => {
    // Smaller than tiny(): the js backend's GEMM is ~25× slower than the SIMD one.
    const small = { trainSamples: 160, runs: selectRuns(["adam"]), scoreSamples: 100, epochs: 1 };
    const js = await compareOptimizers(tiny({ ...small, backend: "js" }));
    const simdSmall = await compareOptimizers(tiny(small));
    expect([js.backend, simdSmall.backend]).toEqual(["js", "wasm-simd"]);
    expect(numbers(js)).toEqual(numbers(simdSmall));
  });

  it("gives the same numbers on 2 threads as on 1 (the optimizer's 100K-float calls are split)", async () => {
    const threaded = await compareOptimizers(tiny({ threads: 2 }));
    expect(numbers(threaded)).toEqual(numbers(simd));
  });

  it("is deterministic: the same seed repeats every number, another seed does not", async () => {
    const again = await compareOptimizers(tiny());
    expect(numbers(again)).toEqual(numbers(simd));
    const reseeded = await compareOptimizers(tiny({ seed: 8, runs: selectRuns(["adam"]) }));
    expect(reseeded.runs[0].epochs[0].trainLoss).not.toBe(simd.runs[1].epochs[0].trainLoss);
  });

  it("drives the scheduled runs' lr with the library's schedules", async () => {
    const scheduled = await compareOptimizers(tiny({ runs: selectRuns(["sgd-momentum-cosine", "sgd-momentum-step"]), trainSamples: 320, epochs: 2 }));
    const [cosine, step] = scheduled.runs;
    // 10 steps per epoch, 20 in all. Cosine: the last step of epoch 1 is t = 9 of 20,
    // lr·½(1 + cos(9π/20)) = lr·0.5782172325 (cos 0.45π = 0.1564344650); of epoch 2, t = 19:
    // lr·½(1 + cos(0.95π)) = lr·0.0061558297 (cos 0.95π = −0.9876883406).
    expect(cosine.epochs[0].lr).toBeCloseTo(cosine.lr * 0.5782172325, 10);
    expect(cosine.epochs[1].lr).toBeCloseTo(cosine.lr * 0.0061558297, 10);
    // Step decay: ×0.1 from step 10 (half of 20), ×0.01 from step 15.
    expect(step.epochs[0].lr).toBe(step.lr);
    expect(step.epochs[1].lr).toBeCloseTo(step.lr * 0.01, 12);
  });

  it("clips the gradients when asked", async () => {
    const runs = selectRuns(["sgd"]);
    const free = await compareOptimizers(tiny({ runs, trainSamples: 320, epochs: 1 }));
    const clipped = await compareOptimizers(tiny({ runs, trainSamples: 320, epochs: 1, maxGradNorm: 1e-3 }));
    expect(clipped.maxGradNorm).toBe(1e-3);
    // With every step's update capped at lr·1e-3 in norm, ten steps barely move the weights.
    const drop = (c: Comparison) => c.runs[0].initial.loss - c.runs[0].epochs[0].testLoss;
    expect(drop(free)).toBeGreaterThan(0.1);
    expect(Math.abs(drop(clipped))).toBeLessThan(0.01);
  });

  it("scores schedule-free runs at their average x (eval() around the scoring), training at y", async () => {
    const [spec] = selectRuns(["sf-sgd"]);
    const config = { trainSamples: 640, epochs: 1 };
    const [averaged, atY] = await Promise.all([
      compareOptimizers(tiny({ runs: [spec], ...config })),
      compareOptimizers(tiny({ runs: [{ ...spec, averaged: false }], ...config })),
    ]);
    const [x, y] = [averaged.runs[0].epochs[0], atY.runs[0].epochs[0]];
    expect(x.trainLoss).toBe(y.trainLoss); // the same training pass
    expect(x.testLoss).not.toBe(y.testLoss); // scored at another point
    expect(x.testAccuracy).toBeGreaterThan(0.5);
  });

  it("runs closure optimizers (L-BFGS) through step(closure), the closure's time counted as the model's", async () => {
    const lbfgs = await compareOptimizers(tiny({ runs: selectRuns(["lbfgs"]), trainSamples: 640, epochs: 1 }));
    const run = lbfgs.runs[0];
    // 20 quasi-Newton steps on mini-batches: well past chance (10%), if far from the others.
    expect(run.finalTestAccuracy).toBeGreaterThan(0.5);
    expect(run.epochs[0].testLoss).toBeLessThan(run.initial.loss);
    expect(run.stepMs).toBeLessThan(run.trainMs);
  });

  it("scores AdamW + EMA on the averaged weights: the same training as AdamW, other test numbers", async () => {
    const both = await compareOptimizers(tiny({ runs: selectRuns(["adamw", "adamw-ema"]), trainSamples: 640, epochs: 2 }));
    const [plain, averaged] = both.runs;
    // Swapping in and out for scoring leaves the training weights bit for bit: the losses while training agree.
    expect(averaged.lossCurve).toEqual(plain.lossCurve);
    expect(averaged.epochs.map((e) => e.testLoss)).not.toEqual(plain.epochs.map((e) => e.testLoss));
  });

  it("runs Muon on the weight matrices beside AdamW on the biases (opt-in, the companion stepped and zeroed with it)", async () => {
    // 20 steps: a larger lr than the 10-epoch default, so so few steps get somewhere.
    const muon = await compareOptimizers(tiny({ runs: selectRuns(["muon"]), lrs: { muon: 0.01 }, trainSamples: 640, epochs: 1 }));
    const run = muon.runs[0];
    expect(run.finalTestAccuracy).toBeGreaterThan(0.5);
    expect(run.epochs[0].testLoss).toBeLessThan(run.initial.loss);
  });

  it("prints tables and writes a self-contained report and the raw results", () => {
    const tables = comparisonTables(simd);
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      const text = markdownTable(table);
      for (const run of simd.runs) expect(text).toContain(run.label);
      const columns = table.header.length;
      for (const line of text.split("\n").filter((l) => l.startsWith("|"))) expect(line.split("|").length - 2).toBe(columns);
    }
    const dir = mkdtempSync(join(tmpdir(), "mnist-report-"));
    try {
      const { html, json } = writeReport(simd, dir);
      const page = readFileSync(html, "utf8");
      expect(page).toMatch(/Chart\.js v4/); // the inlined UMD bundle's banner
      expect(page).not.toMatch(/<script[^>]+src=/); // nothing fetched
      expect(page).not.toMatch(/<link[^>]+href=/);
      expect(page.match(/<canvas/g)).toHaveLength(4);
      expect(JSON.parse(readFileSync(json, "utf8")).runs[1].epochs[0].testAccuracy).toBe(simd.runs[1].epochs[0].testAccuracy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the lr grid's score and the seed summary", () => {
  it("scores a run by its last two validation accuracies", () => {
    expect(tuneScore([0.5, 0.9, 0.96])).toBeCloseTo(0.93, 12);
    expect(tuneScore([0.8])).toBe(0.8);
  });

  it("gives mean ± standard error: 1, 2, 3 → 2 ± 1/√3 (sample sd 1)", () => {
    const { mean, error } = meanAndError([1, 2, 3]);
    expect(mean).toBe(2);
    expect(error).toBeCloseTo(1 / Math.sqrt(3), 12);
  });

  it("summarises runs matched by optimizer across seeds", async () => {
    const config = tiny({ trainSamples: 320, scoreSamples: 200, epochs: 1 });
    const a = await compareOptimizers(config);
    const b = await compareOptimizers({ ...config, seed: 8, runs: selectRuns(["adam"]) });
    const table = seedTable([a, b]);
    expect(table.title).toContain("seeds 7, 8");
    expect(table.rows.map((row) => row[0])).toEqual(["Adam"]); // SGD+momentum ran with one seed only
    const { mean } = meanAndError([a.runs[1].finalTestAccuracy, b.runs[0].finalTestAccuracy]);
    expect(table.rows[0][3]).toMatch(new RegExp(`^${(100 * mean).toFixed(2)} ± \\d+\\.\\d\\d$`));
  });
});

describe("the command line", () => {
  it("has defaults for everything and reads every option", () => {
    const defaults = parseCli([], false);
    expect(defaults.runs.length).toBeGreaterThanOrEqual(7);
    expect(defaults.runs.map((run) => run.id)).not.toContain("lbfgs"); // opt-in: a full-batch method
    expect(defaults.backend).toBe("auto");
    const custom = parseCli(["--optimizers", "adam,sgd", "--epochs", "3", "--batch-size", "16", "--lr", "adam=3e-3", "--lr", "sgd=0.5",
      "--seed", "9", "--backend", "js", "--out", "x", "--no-progress", "--max-grad-norm", "5", "--train-samples", "100"], false);
    expect(custom.runs.map((run) => run.id)).toEqual(["adam", "sgd"]);
    expect(custom).toMatchObject({ epochs: 3, batchSize: 16, lrs: { adam: 3e-3, sgd: 0.5 }, seed: 9, backend: "js", out: "x", progress: false,
      maxGradNorm: 5, trainSamples: 100 });
  });

  it("rejects bad values with a message", () => {
    expect(() => parseCli(["--optimizers", "adamm"], false)).toThrow(/unknown optimizer "adamm"/);
    expect(() => parseCli(["--epochs", "0"], false)).toThrow(/positive integer/);
    expect(() => parseCli(["--lr", "adam=-1"], false)).toThrow(/positive number/);
    expect(() => parseCli(["--backend", "gpu"], false)).toThrow(/gpu/);
  });
});
