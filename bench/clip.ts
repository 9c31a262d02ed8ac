// What gradient clipping and the non-finite guard cost, per backend (tinybench via ./harness.ts):
//   npx tsx bench/clip.ts [--sizes 1M,16M] [--quick]
// Rows: an Adam step alone; with maxGradNorm (one read-only norm pass, the coefficient folded into
// the kernel); with nonFinite "skip" (the same pass, no clipping); clipGradNorm then step (norm pass
// + scaling pass + step, what torch users do); the sum-of-squares kernel alone, in GB/s read.
// Over 20 model-like tensors packed into one group. Prints a markdown table; asserts nothing.
import { Adam, clipGradNorm, createEngine, type BackendName, type Param } from "../src/index.js";
import { time } from "./harness.js";
import { fillValues } from "./impls/types.js";
import { formatSize } from "./plan.js";
import { suiteOptions } from "./suite-options.js";

const { sizes, backends, repeats, timing } = suiteOptions({ sizes: "1M,16M", repeats: 3, repeatsHelp: "measure each cell this many times, interleaved, and keep the fastest" });

type Variant = "step" | "maxGradNorm" | "guard" | "clipGradNorm+step" | "sumSquares";
const VARIANTS: Variant[] = ["step", "maxGradNorm", "guard", "clipGradNorm+step", "sumSquares"];

async function measure(backend: BackendName, n: number, variant: Variant): Promise<number> {
  const engine = await createEngine({ backend });
  const params: Param[] = [];
  for (let i = 0; i < 20; i++) params.push(engine.param(Math.floor(n / 20) + (i === 0 ? n % 20 : 0)));
  const opt = new Adam(params, { lr: 1e-3 });
  params.forEach((p, i) => fillValues(p.grad, i + 1));
  if (variant === "maxGradNorm") opt.maxGradNorm = 1e-3; // small enough that every step clips
  if (variant === "guard") opt.nonFinite = "skip";
  const grad = params[0].gradOffset;
  const step: Record<Variant, () => void> = {
    step: () => opt.step(),
    maxGradNorm: () => opt.step(),
    guard: () => opt.step(),
    // 1e30 never clips, so the gradients stay the same from step to step; the scaling pass is then
    // skipped, and added back below by scaling with 1 (what a clipped step pays).
    "clipGradNorm+step": () => {
      clipGradNorm(params, 1e30);
      engine.kernels.scale(grad, n, 1);
      opt.step();
    },
    sumSquares: () => void engine.kernels.sumSquares(grad, n),
  };
  const result = await time({ step: step[variant], dispose: () => engine.dispose() }, timing);
  engine.dispose();
  return result.stepMedianUs;
}

const rows: string[] = ["| backend | N | " + VARIANTS.join(" | ") + " |", "|" + " --- |".repeat(VARIANTS.length + 2)];
for (const n of sizes) {
  for (const backend of backends) {
    const best = VARIANTS.map(() => Infinity);
    for (let r = 0; r < repeats; r++) {
      for (let v = 0; v < VARIANTS.length; v++) best[v] = Math.min(best[v], await measure(backend, n, VARIANTS[v]));
    }
    const cells = best.map((us, v) => (VARIANTS[v] === "sumSquares" ? `${((4 * n) / us / 1e3).toFixed(1)} GB/s` : `${us.toFixed(0)} µs`));
    rows.push(`| ${backend} | ${formatSize(n)} | ${cells.join(" | ")} |`);
    console.error(rows.at(-1));
  }
}
console.log(rows.join("\n"));
