import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../src/index.js";
import { parseCli } from "../demo/mnist/cli.js";
import { compareOptimizers, type CompareConfig, type Comparison } from "../demo/mnist/compare.js";
import { CLASSES, IMAGE_SIZE, loadMnist, splitMnist, type Digits } from "../demo/mnist/data.js";
import { initialWeights, Mlp } from "../demo/mnist/model.js";
import { writeReport } from "../demo/mnist/report.js";
import { selectRuns } from "../demo/mnist/runs.js";
import { comparisonTables, markdownTable } from "../demo/mnist/table.js";

// The tiny configuration: one short epoch (2,000 digits, 63 batches), two optimizers.
const tiny = (overrides: Partial<CompareConfig> = {}): CompareConfig => ({
  runs: selectRuns(["sgd-momentum", "adam"]),
  lrs: {},
  epochs: 1,
  batchSize: 32,
  seed: 7,
  backend: "wasm-simd",
  trainSamples: 2000,
  ...overrides,
});

/** Everything a run measured except wall-clock times, which differ between identical runs. */
const numbers = (c: Comparison) =>
  c.runs.map((run) => ({
    initial: run.initial,
    curve: run.lossCurve,
    epochs: run.epochs.map(({ trainLoss, testLoss, testAccuracy, lr }) => ({ trainLoss, testLoss, testAccuracy, lr })),
  }));

describe("MNIST data", () => {
  let all: Digits;
  beforeAll(() => {
    all = loadMnist();
  });

  it("loads the 10,000 real digits of the mnist package, every class, grey levels in (0, 1]", () => {
    // 10,000: the package README ("10,000 digits"); per class the sizes of src/digits/<d>.json.
    expect(all.count).toBe(10_000);
    const perClass = new Array<number>(CLASSES).fill(0);
    for (const label of all.labels) perClass[label]++;
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(all.offsets[all.count]).toBe(all.value.length);
    expect(all.value.reduce((a, b) => Math.min(a, b))).toBeGreaterThan(0);
    expect(all.value.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(1);
    expect(all.index.reduce((a, b) => Math.max(a, b))).toBeLessThan(IMAGE_SIZE);
    // Real handwriting lights a fraction of the 784 pixels: between 5% and 40% on average.
    const meanLit = all.value.length / all.count;
    expect(meanLit).toBeGreaterThan(0.05 * IMAGE_SIZE);
    expect(meanLit).toBeLessThan(0.4 * IMAGE_SIZE);
  });

  it("splits 8,000 / 2,000 the same way every time, all classes on both sides", () => {
    const a = splitMnist(all);
    const b = splitMnist(all);
    expect([a.train.count, a.test.count]).toEqual([8000, 2000]);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.test.value).toEqual(b.test.value);
    // Pixel mass is preserved: the two halves hold exactly the 10,000 images.
    expect(a.train.value.length + a.test.value.length).toBe(all.value.length);
    const testPerClass = new Array<number>(CLASSES).fill(0);
    for (const label of a.test.labels) testPerClass[label]++;
    // A shuffled split gives each class about its share (~200 of 2,000).
    for (const count of testPerClass) expect(count).toBeGreaterThan(120);
    const other = splitMnist(all, 2000, 1);
    expect(other.test.labels).not.toEqual(a.test.labels);
  });
});

describe("MLP gradients", () => {
  it("match central finite differences of the batch loss", async () => {
    const { train } = splitMnist(loadMnist());
    const engine = await createEngine({ backend: "js" });
    const model = new Mlp(engine, initialWeights(3));
    const order = Uint32Array.from({ length: 16 }, (_, i) => i);
    const clear = () => model.params.forEach((p) => p.grad.fill(0));
    const loss = () => {
      const value = model.accumulateGradients(train, order, 0, order.length);
      clear();
      return value;
    };
    model.accumulateGradients(train, order, 0, order.length);
    const analytic = model.params.map((p) => Float64Array.from(p.grad));
    clear();
    let checked = 0;
    for (const [k, p] of model.params.entries()) {
      // fc1.w rows 300 and 400 are pixels near the centre, lit in most digits.
      for (const i of [0, 5, p.length - 1, 300 * 128 + 5, 400 * 128 + 77]) {
        if (i >= p.length) continue;
        const h = 1e-3;
        const v = p.data[i];
        p.data[i] = v + h;
        const up = loss();
        p.data[i] = v - h;
        const down = loss();
        p.data[i] = v;
        const numeric = (up - down) / (2 * h);
        // float32 weights and h = 1e-3: the difference quotient is good to ~1e-5 here.
        expect(Math.abs(numeric - analytic[k][i])).toBeLessThan(1e-4 + 1e-2 * Math.abs(analytic[k][i]));
        if (analytic[k][i] !== 0) checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    engine.dispose();
  });
});

describe("the MNIST comparison, tiny configuration", () => {
  let simd: Comparison;
  beforeAll(async () => {
    simd = await compareOptimizers(tiny());
  });

  it("lowers the loss and beats chance by a wide margin with both optimizers", () => {
    expect(simd.runs.map((run) => run.id)).toEqual(["sgd-momentum", "adam"]);
    for (const run of simd.runs) {
      expect(run.initial.accuracy).toBeLessThan(0.3); // untrained: near chance (10%)
      const curve = run.lossCurve.map(([, loss]) => loss);
      expect(curve.at(-1)!).toBeLessThan(0.5 * curve[0]);
      expect(run.epochs[0].testLoss).toBeLessThan(0.5 * run.initial.loss);
      expect(run.finalTestAccuracy).toBeGreaterThan(0.75);
      expect(run.stepMs).toBeGreaterThan(0);
      expect(run.stepMs).toBeLessThan(run.trainMs);
    }
  });

  it("gives the same numbers on the js backend as on wasm-simd", async () => {
    const js = await compareOptimizers(tiny({ backend: "js" }));
    expect(js.backend).toBe("js");
    expect(simd.backend).toBe("wasm-simd");
    const [a, b] = [numbers(simd), numbers(js)];
    // The backends promise identical bits; 1e-6 relative is the tolerance the issue asks for.
    const flat = (x: unknown) => JSON.stringify(x).match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.map(Number);
    const [fa, fb] = [flat(a), flat(b)];
    expect(fb.length).toBe(fa.length);
    fa.forEach((value, i) => expect(Math.abs(value - fb[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value))));
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
    const free = await compareOptimizers(tiny({ runs, trainSamples: 320 }));
    const clipped = await compareOptimizers(tiny({ runs, trainSamples: 320, maxGradNorm: 1e-3 }));
    expect(clipped.maxGradNorm).toBe(1e-3);
    // With every step's update capped at lr·1e-3 in norm, ten steps barely move the weights.
    const drop = (c: Comparison) => c.runs[0].initial.loss - c.runs[0].epochs[0].testLoss;
    expect(drop(free)).toBeGreaterThan(0.1);
    expect(Math.abs(drop(clipped))).toBeLessThan(0.01);
  });

  it("runs closure optimizers (L-BFGS) through step(closure), the closure's time counted as the model's", async () => {
    const lbfgs = await compareOptimizers(tiny({ runs: selectRuns(["lbfgs"]), trainSamples: 640 }));
    const run = lbfgs.runs[0];
    // 20 quasi-Newton steps on mini-batches: well past chance (10%), if far from the others.
    expect(run.finalTestAccuracy).toBeGreaterThan(0.5);
    expect(run.epochs[0].testLoss).toBeLessThan(run.initial.loss);
    expect(run.stepMs).toBeLessThan(run.trainMs);
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
