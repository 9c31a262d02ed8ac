// `npm run bench:muon`: one Muon step against one Adam step on the same r×c parameter, in one run
// (the ratio is what to compare across machines), and the GEMM shapes a Muon step runs, in GFLOP/s.
// Options: --size 1024 (r = c), --rows/--cols, --backend wasm-simd|wasm|js.
import { Command } from "commander";
import { Adam, createEngine, Muon, type BackendName, type Optimizer, type Param } from "../src/index.js";
import { time, type TimingSettings } from "./harness.js";
import { fillValues } from "./impls/types.js";

const options = new Command()
  .option("--size <n>", "rows = cols", "1024")
  .option("--rows <n>", "rows (default: --size)")
  .option("--cols <n>", "cols (default: --size)")
  .option("--backend <name>", "wasm-simd, wasm or js", "wasm-simd")
  .parse()
  .opts<{ size: string; rows?: string; cols?: string; backend: BackendName }>();
const rows = Number(options.rows ?? options.size), cols = Number(options.cols ?? options.size);
const timing: TimingSettings = { batchMs: 50, timeMs: 3000, minSamples: 5 };

const engine = await createEngine({ backend: options.backend });
if (engine.backend !== options.backend) throw new Error(`backend ${options.backend} unavailable`);

/**
 * Median wall µs a step (tinybench), and CPU µs a step, the least of 5 batches of `batch` steps (a
 * check on a shared machine: other jobs stretch wall time, much less CPU time).
 */
async function stepUs(make: (p: Param[]) => Optimizer<any>, batch: number): Promise<[number, number]> {
  const param = engine.param([rows, cols]);
  fillValues(param.data, 1);
  fillValues(param.grad, 2);
  const opt = make([param]);
  try {
    const wall = (await time({ step: () => void opt.step(), dispose() {} }, timing)).stepMedianUs;
    let cpu = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = process.cpuUsage().user;
      for (let i = 0; i < batch; i++) opt.step();
      cpu = Math.min(cpu, (process.cpuUsage().user - t0) / batch);
    }
    return [wall, cpu];
  } finally {
    opt.dispose();
    param.dispose();
  }
}

const [adam, adamCpu] = await stepUs((p) => new Adam(p), 500);
const [muon, muonCpu] = await stepUs((p) => new Muon(p), 1);
const s = Math.min(rows, cols), t = Math.max(rows, cols);
// Per Newton–Schulz iteration, as full products: XᵀX (s·s·t), A·A (s³), X·B (t·s·s) multiply-adds.
// The first two are symmetric: gemmSymmetric computes about half of each.
const flops = 2 * 5 * (2 * s * s * t + s ** 3);
console.log(`${options.backend}, one ${rows}×${cols} parameter (median of tinybench samples):`);
console.log(`  Adam  ${(adam / 1e3).toFixed(3)} ms a step`);
console.log(`  Muon  ${(muon / 1e3).toFixed(1)} ms a step (${(flops / (muon * 1e3)).toFixed(1)} GFLOP/s counting its products in full, ${(flops / 1e9).toFixed(1)} GFLOP)`);
console.log(`  Muon ÷ Adam = ${(muon / adam).toFixed(0)}×; in CPU time (Adam ${(adamCpu / 1e3).toFixed(3)} ms, Muon ${(muonCpu / 1e3).toFixed(1)} ms) ${(muonCpu / adamCpu).toFixed(0)}×`);

// The products of one iteration, as the step runs them, and the plain GEMM at the same size.
type Product = readonly [label: string, m: number, n: number, k: number, symmetric: boolean];
const products: Product[] = [
  [`XᵀX  ${s}×${s}×${t} (gemmSymmetric)`, s, s, t, true],
  [`A·A  ${s}×${s}×${s} (gemmSymmetric)`, s, s, s, true],
  [`X·B  ${t}×${s}×${s} (gemm)`, t, s, s, false],
  [`A·B  ${s}×${s}×${s} (gemm, for comparison)`, s, s, s, false],
];
for (const [label, m, n, k, symmetric] of products) {
  const [a, b, c] = [m * k, k * n, m * n].map((length, seed) => {
    const p = engine.param(length);
    fillValues(p.data, seed + 3);
    return p;
  });
  const kernels = engine.kernels;
  const step = symmetric
    ? () => kernels.gemmSymmetric(c.dataOffset, a.dataOffset, b.dataOffset, n, k)
    : () => kernels.gemm(c.dataOffset, a.dataOffset, b.dataOffset, m, n, k, false, false);
  const us = (await time({ step, dispose() {} }, timing)).stepMedianUs;
  console.log(`  GEMM ${label}: ${(us / 1e3).toFixed(1)} ms, ${((2 * m * n * k) / (us * 1e3)).toFixed(1)} GFLOP/s counting the full product`);
  for (const p of [a, b, c]) p.dispose();
}
engine.dispose();
