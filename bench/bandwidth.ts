// The memory-bandwidth reference, measured in the same run: wasm-simd streaming loops over
// arrays far larger than any cache, so large-N results can be read as a fraction of what the
// memory delivers. Bytes are counted as the loop's loads plus stores (no write-allocate
// traffic), the same way "Adam moves 28 bytes per parameter" is counted.
import { time, type TimingSettings } from "./harness.js";
import { referenceModule } from "./wasm/module.js";

export interface Bandwidth {
  floats: number;
  /** GB/s (1e9 bytes) of each probe. */
  copyGBs: number;
  triadGBs: number;
  /** Reads p, g, m, v and writes p, m, v: Adam's traffic with trivial arithmetic. */
  adamTrafficGBs: number;
  /** The fastest of the three, in Adam params/s (28 bytes each): the memory's ceiling for Adam. */
  adamCeilingParamsPerSec: number;
}

export const ADAM_BYTES_PER_PARAM = 28;

export async function measureBandwidth(floats: number, settings: TimingSettings): Promise<Bandwidth> {
  const ref = await referenceModule();
  const n = Math.ceil(floats / 4) * 4;
  const [a, b, c, d] = [ref.alloc(n), ref.alloc(n), ref.alloc(n), ref.alloc(n)];
  new Float32Array(ref.memory.buffer).fill(1e-3, a >>> 2, (a >>> 2) + 4 * n); // touch every page
  const { copy, triad, adamTraffic } = ref.loops;
  const gbs = async (bytesPerFloat: number, step: () => void) => {
    const timing = await time({ step, dispose() {} }, settings);
    return (bytesPerFloat * n) / (timing.stepMedianUs * 1e-6) / 1e9;
  };
  const copyGBs = await gbs(8, () => copy(a, b, n));
  const triadGBs = await gbs(12, () => triad(a, b, c, 0.5, n));
  // Values stay tiny and finite: m, v grow by 1e-3 per call, p by their sum.
  const adamTrafficGBs = await gbs(ADAM_BYTES_PER_PARAM, () => adamTraffic(a, b, c, d, n));
  const best = Math.max(copyGBs, triadGBs, adamTrafficGBs);
  return { floats: n, copyGBs, triadGBs, adamTrafficGBs, adamCeilingParamsPerSec: (best * 1e9) / ADAM_BYTES_PER_PARAM };
}

/**
 * The better of two measurements, probe by probe: on a shared machine a probe is only ever
 * slowed down by other work, so the faster reading is the closer one (taken at start and end).
 */
export function bestOf(a: Bandwidth, b: Bandwidth): Bandwidth {
  const copyGBs = Math.max(a.copyGBs, b.copyGBs), triadGBs = Math.max(a.triadGBs, b.triadGBs);
  const adamTrafficGBs = Math.max(a.adamTrafficGBs, b.adamTrafficGBs);
  const best = Math.max(copyGBs, triadGBs, adamTrafficGBs);
  return { floats: a.floats, copyGBs, triadGBs, adamTrafficGBs, adamCeilingParamsPerSec: (best * 1e9) / ADAM_BYTES_PER_PARAM };
}
