import { Command, InvalidArgumentError, Option } from "commander";
import type { BackendChoice } from "../../src/index.js";
import type { CompareConfig } from "./compare.js";
import { DEFAULT_RUNS, RUNS, selectRuns } from "./runs.js";

export interface CliOptions extends CompareConfig {
  out: string;
  progress: boolean;
}

// Defaults sized so plain `npm start` runs every optimizer in a few minutes on 2 cores.
export const DEFAULTS = { epochs: 10, batchSize: 32, seed: 1, backend: "auto", out: "out/mnist" } as const;

function positiveInt(name: string) {
  return (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${text}"`);
    return value;
  };
}

function positiveNumber(name: string) {
  return (text: string) => {
    const value = Number(text);
    if (!(value > 0 && Number.isFinite(value))) throw new InvalidArgumentError(`${name} must be a positive number, got "${text}"`);
    return value;
  };
}

function seedValue(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) throw new InvalidArgumentError(`the seed must be an integer in [0, 2^32), got "${text}"`);
  return value;
}

function optimizerList(text: string): string[] {
  const ids = text.split(",").map((id) => id.trim()).filter(Boolean);
  try {
    selectRuns(ids);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  if (ids.length === 0) throw new InvalidArgumentError("name at least one optimizer");
  return ids;
}

/** `--lr adam=3e-3 --lr sgd=0.05`, or one flag with a comma list; collects into one record. */
function learningRates(text: string, previous: Record<string, number> = {}): Record<string, number> {
  const lrs = { ...previous };
  for (const pair of text.split(",")) {
    const [id, value] = pair.split("=");
    const lr = Number(value);
    if (!RUNS.some((run) => run.id === id)) throw new InvalidArgumentError(`unknown optimizer "${id}" in --lr ${text}`);
    if (value === undefined || !(lr > 0 && Number.isFinite(lr))) throw new InvalidArgumentError(`--lr ${pair}: expected <optimizer>=<positive number>`);
    lrs[id] = lr;
  }
  return lrs;
}

/**
 * The command line, parsed; `--help` prints usage and exits. With `exitOnError` false, a bad
 * argument throws commander's CommanderError instead of exiting (for tests).
 */
function stateDtype(value: string): "float32" | "bfloat16" | "int8" {
  if (value !== "float32" && value !== "bfloat16" && value !== "int8") throw new InvalidArgumentError(`--state-dtype must be float32, bfloat16 or int8, got ${value}`);
  return value;
}

export function parseCli(argv: readonly string[], exitOnError = true): CliOptions {
  const program = new Command("npm start --")
    .description("Trains a 784-128-10 MLP on real MNIST digits with every optimizer, prints a comparison and writes an HTML report.")
    .option("-o, --optimizers <ids>", `comma-separated, in run order (default: all)\n${RUNS.map((r) => `  ${r.id.padEnd(22)}${r.label}, lr ${r.lr}`).join("\n")}\n`, optimizerList)
    .option("-e, --epochs <n>", "epochs per optimizer", positiveInt("--epochs"), DEFAULTS.epochs)
    .option("-b, --batch-size <n>", "mini-batch size", positiveInt("--batch-size"), DEFAULTS.batchSize)
    .option("--lr <id=value>", "override a learning rate, e.g. --lr adam=3e-3 (repeatable)", learningRates)
    .option("-s, --seed <n>", "seeds the initial weights and batch order", seedValue, DEFAULTS.seed)
    .addOption(new Option("--backend <name>", "where the kernels run: the optimizers' and the model's matrix products").choices(["auto", "wasm-simd", "wasm", "js"]).default(DEFAULTS.backend))
    .option("--threads <n>", "threads the kernels run on (same numbers for any count)", positiveInt("--threads"), 1)
    .option("--state-dtype <dtype>", "optimizer state storage: float32 (default), bfloat16 (2 bytes a number) or int8 (a byte a number + a float32 per 256); runs whose family keeps other state ignore it", stateDtype, "float32")
    .option("--max-grad-norm <x>", "clip each step's gradients to this total L2 norm (clipGradNorm); off by default", positiveNumber("--max-grad-norm"))
    .option("--train-samples <n>", "train on only the first n of the 55,000 training digits", positiveInt("--train-samples"))
    .option("--out <dir>", "folder for report.html and results.json", DEFAULTS.out)
    .option("--no-progress", "no progress bars")
    .showHelpAfterError();
  if (!exitOnError) program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.parse(argv, { from: "user" });
  const options = program.opts<{
    optimizers?: string[];
    epochs: number;
    batchSize: number;
    lr?: Record<string, number>;
    seed: number;
    backend: BackendChoice;
    threads: number;
    trainSamples?: number;
    maxGradNorm?: number;
    stateDtype: "float32" | "bfloat16" | "int8";
    out: string;
    progress: boolean;
  }>();
  return {
    runs: options.optimizers ? selectRuns(options.optimizers) : DEFAULT_RUNS,
    lrs: options.lr ?? {},
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    backend: options.backend,
    threads: options.threads,
    trainSamples: options.trainSamples,
    maxGradNorm: options.maxGradNorm,
    stateDtype: options.stateDtype,
    out: options.out,
    progress: options.progress,
  };
}
