// Issue 6's performance goals for Adam, read off one run. They are targets for the kernels and
// are reported, never asserted: timings on a shared machine are noisy.
import { formatSize, K, M } from "../plan.js";
import { rate, find, type RunResults } from "../results.js";

export interface GoalCheck {
  goal: string;
  measured: string;
  /** undefined when the run did not measure what the goal needs. */
  met: boolean | undefined;
}

type Ratio = { n: number; value: number };

/** wasm-simd ÷ impl for Adam in the 20-tensor layout at each measured N in [lo, hi]. */
function ratios(results: RunResults, impl: string, lo: number, hi: number): Ratio[] {
  const out: Ratio[] = [];
  for (const m of results.measurements) {
    if (m.optimizer !== "adam" || m.layout !== "model" || m.impl !== "wasm-simd" || m.n < lo || m.n > hi || !m.paramsPerSec) continue;
    const other = rate(results, "adam", "model", m.n, impl);
    if (other) out.push({ n: m.n, value: m.paramsPerSec / other });
  }
  return out;
}

function atLeast(goal: string, found: Ratio[], min: number, unit = "×"): GoalCheck {
  if (found.length === 0) return { goal, measured: "—", met: undefined };
  const worst = found.reduce((a, b) => (b.value < a.value ? b : a));
  const shown = found.map((r) => `${formatSize(r.n)}: ${r.value.toFixed(unit === "×" ? 1 : 2)}${unit}`).join(", ");
  return { goal, measured: shown, met: worst.value >= min };
}

export function adamGoals(results: RunResults): GoalCheck[] {
  if (!results.measurements.some((m) => m.optimizer === "adam" && m.impl === "wasm-simd")) return [];
  const checks: GoalCheck[] = [
    atLeast("20 tensors: ≥ 10× TF.js wasm, N ≤ 1M", ratios(results, "tfjs-wasm", 0, M), 10),
    atLeast("20 tensors: ≥ 3× TF.js wasm at 16M", ratios(results, "tfjs-wasm", 16 * M, 16 * M), 3),
    atLeast("20 tensors: ≥ 4× jax-js jit from 256K up", ratios(results, "jax-wasm", 256 * K, Infinity), 4),
    atLeast("20 tensors: ≥ 40× jax-js jit at 1K", ratios(results, "jax-wasm", K, K), 40),
    atLeast("20 tensors: ≥ 5× the js backend, 16K..1M", ratios(results, "js", 16 * K, M), 5),
    atLeast("20 tensors: within 15% of the bare f32x4 loop, 16K..1M", ratios(results, "bare-f32x4", 16 * K, M), 0.85, " of it"),
  ];

  const ceiling = results.bandwidth?.adamCeilingParamsPerSec;
  const at16M = rate(results, "adam", "model", 16 * M, "wasm-simd");
  checks.push(ceiling && at16M
    ? { goal: "16M: ≥ 75% of the memory bandwidth", measured: `${((100 * at16M) / ceiling).toFixed(0)}% (${(at16M / 1e9).toFixed(2)}G of ${(ceiling / 1e9).toFixed(2)}G)`, met: at16M >= 0.75 * ceiling }
    : { goal: "16M: ≥ 75% of the memory bandwidth", measured: "—", met: undefined });

  const overhead = find(results, "adam", "model", K, "wasm-simd")?.timing?.stepMedianUs;
  checks.push({ goal: "per-step time at 1K in 20 tensors ≤ 3 µs", measured: overhead === undefined ? "—" : `${overhead.toFixed(2)} µs`, met: overhead === undefined ? undefined : overhead <= 3 });

  const many = rate(results, "adam", "many", undefined, "wasm-simd");
  const one = rate(results, "adam", "one", M, "wasm-simd");
  checks.push(many && one
    ? { goal: "many × 1K within 10% of 1 tensor of 1M", measured: `${(many / 1e9).toFixed(3)}G vs ${(one / 1e9).toFixed(3)}G (${((100 * many) / one - 100).toFixed(1)}%)`, met: Math.abs(many / one - 1) <= 0.1 }
    : { goal: "many × 1K within 10% of 1 tensor of 1M", measured: "—", met: undefined });

  const grew = results.allocation.filter((a) => a.wasmMemoryAfter !== a.wasmMemoryBefore || a.heapUsedAfter !== a.heapUsedBefore);
  checks.push({
    goal: "no allocation in steady state (wasm memory)",
    measured: results.allocation.length === 0 ? "—" : grew.length === 0 ? "unchanged on every backend" : `grew on ${grew.map((a) => a.backend).join(", ")}`,
    met: results.allocation.length === 0 ? undefined : grew.length === 0,
  });
  return checks;
}
