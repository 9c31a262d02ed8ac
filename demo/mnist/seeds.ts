// Summarises several `npm start` runs (one results.json per seed) as mean ± standard error:
//   npx tsx demo/mnist/seeds.ts out/mnist/results.json out/mnist-seed2/results.json out/mnist-seed3/results.json
import { readFileSync } from "node:fs";
import type { Comparison } from "./compare.js";
import type { RunResult } from "./train.js";
import { markdownTable, type Table } from "./table.js";

/** Mean and standard error of the mean (sample standard deviation / √n). */
export function meanAndError(values: readonly number[]): { mean: number; error: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : Number.NaN;
  return { mean, error: Math.sqrt(variance / n) };
}

/** The per-optimizer summary over `comparisons` (runs matched by id; those missing from any are left out). */
export function seedTable(comparisons: readonly Comparison[]): Table {
  const ids = comparisons[0].runs.map((run) => run.id).filter((id) => comparisons.every((c) => c.runs.some((run) => run.id === id)));
  const cell = (runs: RunResult[], of: (run: RunResult) => number, scale: number, digits: number) => {
    const { mean, error } = meanAndError(runs.map(of));
    return `${(scale * mean).toFixed(digits)} ± ${(scale * error).toFixed(digits)}`;
  };
  return {
    title: `Mean ± standard error over seeds ${comparisons.map((c) => c.seed).join(", ")} (${comparisons[0].epochs} epochs; accuracy on the ${comparisons[0].testCount} test digits)`,
    header: ["optimizer", "epoch 1 train loss", "epoch 1 test acc %", "final test acc %", "final test loss", "final val acc %"],
    numeric: [false, true, true, true, true, true],
    rows: ids.map((id) => {
      const runs = comparisons.map((c) => c.runs.find((run) => run.id === id)!);
      return [
        runs[0].label,
        cell(runs, (r) => r.epochs[0].trainLoss, 1, 4),
        cell(runs, (r) => r.epochs[0].testAccuracy, 100, 2),
        cell(runs, (r) => r.finalTestAccuracy, 100, 2),
        cell(runs, (r) => r.epochs.at(-1)!.testLoss, 1, 4),
        cell(runs, (r) => r.finalValidationAccuracy, 100, 2),
      ];
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length < 2) throw new Error("name two or more results.json files");
  console.log(markdownTable(seedTable(files.map((file) => JSON.parse(readFileSync(file, "utf8")) as Comparison))));
}
