// Re-derives the default learning rates on the validation split (the last 5,000 training digits):
//   npx tsx demo/mnist/tune.ts [--epochs 4] [--optimizers sgd,adam] [--out out/mnist/tune.json]
// Each optimizer runs at its default lr × 2^-2 … 2^2 (seed 1, batch 32); the best lr is the one
// with the highest mean validation accuracy over the last two epochs. The test digits are not read.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { compareOptimizers } from "./compare.js";
import { DEFAULT_RUNS, selectRuns } from "./runs.js";

export const GRID_EXPONENTS = [-2, -1, 0, 1, 2];

/** Mean validation accuracy over the last two epochs (one if the run has one). */
export function tuneScore(validationAccuracies: readonly number[]): number {
  const last = validationAccuracies.slice(-2);
  return last.reduce((a, b) => a + b, 0) / last.length;
}

/** Runs the grid from the command line; prints one line per run and writes the raw numbers as JSON. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { epochs: { type: "string", default: "4" }, optimizers: { type: "string" }, out: { type: "string", default: "out/mnist/tune.json" } } });
  const epochs = Number(values.epochs);
  const specs = values.optimizers ? selectRuns(values.optimizers.split(",")) : DEFAULT_RUNS;
  const results: { id: string; lr: number; score: number; validation: number[] }[] = [];
  for (const spec of specs) {
    for (const exponent of GRID_EXPONENTS) {
      const lr = +(spec.lr * 2 ** exponent).toPrecision(6);
      let validation: number[];
      try {
        const c = await compareOptimizers({ runs: [spec], lrs: { [spec.id]: lr }, epochs, batchSize: 32, seed: 1, backend: "auto" });
        validation = c.runs[0].epochs.map((e) => e.validationAccuracy);
      } catch (error) {
        // A diverged run (trainRun's non-finite loss) scores 0; anything else is a real failure.
        if (!/the loss became/.test(String(error))) throw error;
        validation = [0];
      }
      results.push({ id: spec.id, lr, score: tuneScore(validation), validation });
      console.log(`${spec.id.padEnd(22)} lr ${String(lr).padEnd(10)} val acc ${validation.map((a) => (100 * a).toFixed(2)).join(" ")}`);
    }
    const mine = results.filter((r) => r.id === spec.id);
    const best = mine.reduce((a, b) => (b.score > a.score ? b : a));
    const edge = best.lr === mine[0].lr || best.lr === mine.at(-1)!.lr ? " (at the grid's edge)" : "";
    console.log(`${spec.id.padEnd(22)} best lr ${best.lr}${edge}\n`);
  }
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify({ epochs, gridExponents: GRID_EXPONENTS, results }, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
