// `npm start`: the MNIST optimizer comparison. See `npm start -- --help`.
import { parseCli } from "./cli.js";
import { compareOptimizers } from "./compare.js";
import { progressBars } from "./progress.js";
import { writeReport } from "./report.js";
import { comparisonTables, markdownTable } from "./table.js";

const options = parseCli(process.argv.slice(2));
const comparison = await compareOptimizers(options, options.progress ? progressBars(options.runs.length) : {});
console.log(`\nMNIST, 784-128-10 MLP · ${comparison.trainCount} train / ${comparison.validationCount} validation / ${comparison.testCount} test digits · ` +
  `${comparison.epochs} epochs · batch ${comparison.batchSize} · seed ${comparison.seed} · ` +
  `${comparison.maxGradNorm === null ? "" : `clip ${comparison.maxGradNorm} · `}backend ${comparison.backend}\n`);
for (const table of comparisonTables(comparison)) console.log(`${markdownTable(table)}\n`);
const { html, json } = writeReport(comparison, options.out);
console.log(`Total wall time ${(comparison.totalMs / 1000).toFixed(1)} s (timings are wall-clock and vary with machine load).`);
console.log(`Report: ${html}\nResults: ${json}`);
