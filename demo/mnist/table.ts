import type { Comparison } from "./compare.js";
import { TARGET_ACCURACY } from "./train.js";

/** A table as data, rendered both as Markdown (terminal, README) and as HTML (report). */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Column alignment: the first column (names) left, numbers right. */
  numeric: boolean[];
}

const percent = (x: number) => (100 * x).toFixed(2);

/** The end-of-run tables: train loss and test accuracy per epoch, then a summary. */
export function comparisonTables(c: Comparison): Table[] {
  const epochs = Array.from({ length: c.epochs }, (_, e) => String(e + 1));
  const numeric = (n: number) => [false, ...new Array<boolean>(n).fill(true)];
  return [
    {
      title: "Train loss per epoch (mean cross-entropy of the epoch's mini-batches)",
      header: ["optimizer", ...epochs],
      rows: c.runs.map((run) => [run.label, ...run.epochs.map((stats) => stats.trainLoss.toFixed(4))]),
      numeric: numeric(c.epochs),
    },
    {
      title: `Test accuracy per epoch, % (the official ${c.testCount} test digits; epoch 0 = initial weights)`,
      header: ["optimizer", "0", ...epochs],
      rows: c.runs.map((run) => [run.label, percent(run.initial.accuracy), ...run.epochs.map((stats) => percent(stats.testAccuracy))]),
      numeric: numeric(c.epochs + 1),
    },
    {
      title: "Summary (wall-clock per epoch, averaged over the run; optimizer = clipping if on + step + schedule + zeroGrad)",
      header: ["optimizer", "lr", `first epoch ≥ ${percent(TARGET_ACCURACY).replace(/\.?0+$/, "")}%`, "final val acc %", "final test acc %", "final train loss", "optimizer ms/epoch", "epoch ms", "optimizer share"],
      rows: c.runs.map((run) => {
        const last = run.epochs.at(-1);
        const perEpoch = Math.max(1, run.epochs.length);
        return [
          run.label,
          run.lr.toPrecision(3).replace(/\.?0+$/, "") + (run.scheduled ? " (scheduled)" : ""),
          run.epochToTarget === null ? "—" : String(run.epochToTarget),
          percent(run.finalValidationAccuracy),
          percent(run.finalTestAccuracy),
          last ? last.trainLoss.toFixed(4) : "—",
          (run.stepMs / perEpoch).toFixed(0),
          (run.trainMs / perEpoch).toFixed(0),
          run.trainMs > 0 ? `${percent(run.stepMs / run.trainMs).replace(/(\.\d)\d$/, "$1")}%` : "—",
        ];
      }),
      numeric: numeric(8),
    },
  ];
}

/** A Markdown pipe table with padded columns, readable as plain text too. */
export function markdownTable(table: Table): string {
  const widths = table.header.map((cell, i) => Math.max(cell.length, ...table.rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (table.numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (table.numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [`**${table.title}**`, "", line(table.header), rule, ...table.rows.map(line)].join("\n");
}
