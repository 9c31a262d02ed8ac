// `npm run tfjs-demo`: a tfjs-layers 784-128-10 model trained on the MNIST digits with model.fit,
// three times from the same initial weights: TF.js's own Adam, wasm-optim's Adam through the
// adapter, and AdamW + cosine schedule + gradient clipping (which TF.js lacks). Prints each run's
// epoch time, the optimizer's share of it and the test accuracy.
// Options: --epochs 3 --batch-size 32 --backend cpu|wasm --train-samples 8000 (default; up to 55,000)
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Command } from "commander";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cosineAnnealingSchedule } from "../../src/index.js";
import { tfjsOptimizer } from "../../src/tfjs/index.js";
import { CLASSES, IMAGE_SIZE, loadSplit } from "./data.js";

const options = new Command()
  .name("tfjs-demo")
  .option("--epochs <n>", "epochs per run", (v) => Number(v), 3)
  .option("--batch-size <n>", "batch size", (v) => Number(v), 32)
  .option("--backend <name>", "TF.js backend: cpu or wasm", "cpu")
  .option("--train-samples <n>", "train on the first n of the 55,000 training digits (all: slow on cpu)", (v) => Number(v), 8000)
  .parse()
  .opts<{ epochs: number; batchSize: number; backend: string; trainSamples: number }>();

const require = createRequire(import.meta.url);
setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
if (!(await tf.setBackend(options.backend))) throw new Error(`TF.js backend ${options.backend} did not start`);

const { train, test } = loadSplit(options.trainSamples);
const xTrain = tf.tensor2d(train.images, [train.count, IMAGE_SIZE]);
const yTrain = tf.tensor2d(train.labels, [train.count, CLASSES]);
const xTest = tf.tensor2d(test.images, [test.count, IMAGE_SIZE]);
const yTest = tf.tensor2d(test.labels, [test.count, CLASSES]);
const stepsPerEpoch = Math.ceil(train.count / options.batchSize);

function buildModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: 128, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: CLASSES, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

/** Wraps applyGradients to add up the time spent in it (the optimizer's share of the epoch). */
function timed(optimizer: tf.Optimizer): { optimizer: tf.Optimizer; ms: () => number } {
  let total = 0;
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    const start = performance.now();
    apply(grads);
    total += performance.now() - start;
  };
  return { optimizer, ms: () => total };
}

const runs: [string, () => Promise<tf.Optimizer>][] = [
  ["tf.train.adam(1e-3)", async () => tf.train.adam(1e-3)],
  ["wasm-optim adam (adapter)", () => tfjsOptimizer("adam", { lr: 1e-3, eps: 1e-7 })],
  ["wasm-optim adamw, cosine, clip 1", () => tfjsOptimizer("adamw", { lr: 1e-3, weightDecay: 1e-2, maxGradNorm: 1, schedule: cosineAnnealingSchedule({ init: 1e-3, steps: options.epochs * stepsPerEpoch }) })],
];

const initial = buildModel().getWeights().map((w) => w.clone());
console.log(`TF.js ${tf.version.tfjs} on ${tf.getBackend()}: 784-128-10, ${train.count} training digits, ${test.count} test digits, ${options.epochs} epochs of batch ${options.batchSize}`);
const table: string[] = ["| run | epoch ms | optimizer ms/epoch | optimizer share | test accuracy % |", "| --- | ---: | ---: | ---: | ---: |"];
for (const [name, make] of runs) {
  const model = buildModel();
  model.setWeights(initial);
  const { optimizer, ms } = timed(await make());
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const epochMs: number[] = [];
  let began = 0;
  await model.fit(xTrain, yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    shuffle: false, // every run sees the same batches in the same order
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => void (began = performance.now()),
      onEpochEnd: async (epoch, logs) => {
        epochMs.push(performance.now() - began);
        console.log(`  ${name}: epoch ${epoch + 1}, loss ${logs?.loss.toFixed(4)}, ${epochMs[epoch].toFixed(0)} ms`);
      },
    },
  });
  const [, accuracy] = (model.evaluate(xTest, yTest, { batchSize: 500 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const epoch = epochMs.reduce((a, b) => a + b, 0) / epochMs.length;
  const optimizerMs = ms() / options.epochs;
  table.push(`| ${name} | ${epoch.toFixed(0)} | ${optimizerMs.toFixed(0)} | ${((100 * optimizerMs) / epoch).toFixed(1)}% | ${(100 * accuracy).toFixed(2)} |`);
  optimizer.dispose();
  model.dispose();
}
console.log(table.join("\n"));
