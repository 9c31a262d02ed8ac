// The visualizer's race run in Node, through the page's own simulation code: what the page's
// state must match bit for bit.
import { createEngine, type BackendName } from "../../../src/index.js";
import { OPTIMIZERS, type OptionValue } from "../../../viz/optimizers.js";
import { SCHEDULES } from "../../../viz/schedules.js";
import { Run, Simulation } from "../../../viz/simulation.js";
import { SURFACES } from "../../../viz/surfaces.js";

export interface NodeRace {
  surface?: string;
  condition?: number;
  steps: number;
  backend?: BackendName;
  start?: [number, number];
  /** The page's "clip gradient norm" (default off). */
  maxGradNorm?: number;
  /** Every optimizer of the page's table, not only those it enables at first. */
  all?: boolean;
  /** Options changed after a given step: [step, run label, option, value]. */
  changes?: [number, string, string, OptionValue][];
}

/** The paths of the optimizers the page enables by default (or of all of them), as `paths(pageState)` gives them. */
export async function raceInNode({ surface = "rosenbrock", condition = 100, steps, backend = "wasm-simd", start, maxGradNorm = Infinity, all = false, changes = [] }: NodeRace) {
  const engine = await createEngine({ backend });
  const runs = OPTIMIZERS.map((entry) => new Run(entry, "black"));
  if (all) for (const run of runs) run.enabled = true;
  const sim = new Simulation(engine, runs, SURFACES.find((s) => s.id === surface)!.make(condition), SCHEDULES[0]);
  if (start) sim.start = start;
  sim.maxGradNorm = maxGradNorm;
  sim.restart();
  for (let t = 0; t < steps; t++) {
    for (const [at, label, key, value] of changes) if (at === t) runs.find((r) => r.label === label)!.setOption(key, value);
    sim.advance();
  }
  const result = runs.filter((run) => run.enabled).map((run) => ({ label: run.label, path: run.path.slice() }));
  sim.dispose();
  engine.dispose();
  return result;
}
