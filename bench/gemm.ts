// The GEMM kernel (C += A·B, the MNIST model's matrix products) on each of our backends, in
// GFLOP/s (2·m·n·k floating-point operations per call), for the report's "GEMM" section.
import { createEngine, type BackendName } from "../src/index.js";
import { time, type Timing, type TimingSettings } from "./harness.js";
import { fillValues } from "./impls/types.js";

export interface GemmMeasurement {
  backend: BackendName;
  /** Square: m = n = k = size. */
  size: number;
  gflops?: number;
  timing?: Timing;
  error?: string;
}

export async function measureGemm(backends: readonly BackendName[], size: number, timing: TimingSettings): Promise<GemmMeasurement[]> {
  const out: GemmMeasurement[] = [];
  for (const backend of backends) {
    const engine = await createEngine({ backend });
    try {
      const [a, b, c] = [1, 2, 3].map((seed) => {
        const param = engine.param(size * size);
        fillValues(param.data, seed);
        return param;
      });
      const t = await time({ step: () => engine.kernels.gemm(c.dataOffset, a.dataOffset, b.dataOffset, size, size, size, false, false), dispose() {} }, timing);
      out.push({ backend, size, timing: t, gflops: (2 * size ** 3) / (t.stepMedianUs * 1e3) });
    } catch (error) {
      out.push({ backend, size, error: String((error as Error)?.message ?? error).slice(0, 300) });
    } finally {
      engine.dispose();
    }
    const last = out[out.length - 1];
    console.error(`GEMM ${size}×${size}×${size} ${backend.padEnd(10)} ${last.error ? `failed: ${last.error.slice(0, 80)}` : `${last.gflops!.toFixed(2)} GFLOP/s`}`);
  }
  return out;
}

export function gemmSection(measurements: readonly GemmMeasurement[] | undefined): string[] {
  if (!measurements?.length) return [];
  const size = measurements[0].size;
  return [
    `### GEMM (C += A·B, ${size}×${size}×${size}, float32; the MNIST model's kernel)`,
    "",
    "| backend | GFLOP/s |",
    "|---|---:|",
    ...measurements.map((m) => `| wasm-optim ${m.backend} | ${m.error ? "failed" : m.gflops!.toFixed(2)} |`),
    "",
  ];
}
