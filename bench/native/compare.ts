// Our GEMM on the inputs gemm.c builds (same LCG), timed the same way (best of 7, CPU time: the
// machine is shared) with the same checksum.
import { createEngine, type BackendName } from "../../src/index.js";
import { fillValues } from "../impls/types.js";

const size = Number(process.argv[2] ?? 512);
for (const backend of ["wasm-simd", "wasm"] as BackendName[]) {
  const engine = await createEngine({ backend });
  const [a, b, c] = [1, 2, 0].map((seed) => {
    const p = engine.param(size * size);
    if (seed) fillValues(p.data, seed);
    return p;
  });
  const run = () => engine.kernels.gemm(c.dataOffset, a.dataOffset, b.dataOffset, size, size, size, false, false);
  run();
  let sum = 0;
  for (const bits of new Uint32Array(c.data.slice().buffer)) sum = (Math.imul(sum, 31) + bits) >>> 0;
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = process.cpuUsage().user;
    run();
    best = Math.min(best, (process.cpuUsage().user - t0) / 1e3);
  }
  console.log(`${backend.padEnd(10)} ${size}^3: ${((2 * size ** 3) / (best * 1e6)).toFixed(2)} GFLOP/s (best of 7, ${best.toFixed(1)} ms of CPU time), checksum ${sum.toString(16).padStart(8, "0")}`);
  engine.dispose();
}
