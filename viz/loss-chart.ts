// Loss against step for every optimizer (Chart.js). Points are appended, never rebuilt, as the runs grow.
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from "chart.js";
import { formatValue } from "./knobs.js";
import type { Run } from "./simulation.js";
import type { Surface } from "./surfaces.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

/** A log axis cannot show 0: gaps below this (an exact hit of the minimum) are drawn at it. */
const FLOOR = 1e-12;

type Point = { x: number; y: number };

export class LossChart {
  private readonly chart: Chart<"line", Point[]>;
  private runs: readonly Run[] = [];
  private minLoss: number | null = null;
  /** How many losses of each run are already on the chart. */
  private shown: number[] = [];

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        maintainAspectRatio: false,
        elements: { point: { radius: 0 }, line: { borderWidth: 2 } },
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", min: 0, title: { display: true, text: "step" } },
          // Short labels ("1e-4", not "0.00010") on both the log and the linear axis.
          y: { type: "logarithmic", title: { display: true, text: "loss" }, ticks: { callback: (value) => formatValue(Number(value)) } },
        },
        plugins: { legend: { position: "top" } },
      },
    });
  }

  /** Starts over for these runs on this surface. */
  reset(runs: readonly Run[], surface: Surface): void {
    this.runs = runs.filter((run) => run.enabled);
    this.minLoss = surface.minLoss;
    const y = this.chart.options.scales!.y!;
    y.type = surface.minLoss === null ? "linear" : "logarithmic";
    y.title = { display: true, text: surface.minLoss === null ? "loss" : "loss − minimum" };
    this.chart.data.datasets = this.runs.map((run) => ({ label: run.label, data: [], borderColor: run.colour, backgroundColor: run.colour }));
    this.shown = this.runs.map(() => 0);
    this.update();
  }

  /** Adds the points taken since the last update. */
  update(): void {
    this.runs.forEach((run, k) => {
      const data = this.chart.data.datasets[k].data;
      for (let step = this.shown[k]; step < run.losses.length; step++) {
        const loss = run.losses[step];
        // A diverged run's last loss may be infinite: the axis would lose its range.
        if (Number.isFinite(loss)) data.push({ x: step, y: this.minLoss === null ? loss : Math.max(FLOOR, loss - this.minLoss) });
      }
      this.shown[k] = run.losses.length;
    });
    this.chart.update("none");
  }
}
