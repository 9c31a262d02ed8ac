// Gradient noise for the stochastic-gradient surfaces. Counter-based (a hash of step and
// coordinate, not a stream) so every optimizer sees the same draw at the same step: the paths
// then differ because of the optimizers, not the luck of the draw, and a reset replays them.

/** A 32-bit integer hash (the "lowbias32" finalizer by Chris Wellons). */
function hash32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform in (0, 1), never 0, so its logarithm is finite. */
function uniform(key: number): number {
  return (hash32(key) + 0.5) / 4294967296;
}

/** A standard normal for (step, coordinate), by the Box–Muller transform. */
export function gaussian(step: number, coordinate: number): number {
  const key = Math.imul(step, 0x9e3779b1) ^ Math.imul(coordinate + 1, 0x85ebca6b);
  const u = uniform(key);
  const v = uniform(key ^ 0x5bd1e995);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
