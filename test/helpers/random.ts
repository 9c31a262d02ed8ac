import { seededRandom } from "../../demo/mnist/random.js";

/** The demo's Mulberry32 generator: a small seeded generator, so every test run sees the same numbers. */
export const rng = seededRandom;

/** n float32-representable values uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}
