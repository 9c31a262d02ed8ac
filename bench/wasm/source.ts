// AssemblyScript source of the benchmark's reference loops, compiled at run time (bench/wasm/module.ts)
// so it stays out of the library's binaries and out of the TypeScript type check.
// All pointers are byte offsets of 16-byte-aligned arrays, and n is a multiple of 4 (no tail).
export const REFERENCE_LOOPS_SOURCE = /* AssemblyScript */ `
// Memory-bandwidth probes: as little arithmetic as possible per byte moved.

/** dst ← src: 8 bytes per element. */
export function copy(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
}

/** a ← b + s·c (STREAM triad): 12 bytes per element. */
export function triad(a: usize, b: usize, c: usize, s: f32, n: i32): void {
  const sv = f32x4.splat(s);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    v128.store(a + o, f32x4.add(v128.load(b + o), f32x4.mul(sv, v128.load(c + o))));
  }
}

/** Adam's memory traffic with trivial arithmetic: reads p, g, m, v; writes p, m, v (28 bytes). */
export function adamTraffic(p: usize, g: usize, m: usize, v: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(v128.load(m + o), gi);
    const vi = f32x4.add(v128.load(v + o), gi);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.add(v128.load(p + o), f32x4.add(mi, vi)));
  }
}

/**
 * A bare f32x4 Adam step (PyTorch's formula with one division, as a user writing raw wasm SIMD
 * would): the SIMD-width-matched ceiling the library's kernel is compared with.
 */
export function adamBare(p: usize, g: usize, m: usize, v: usize, n: i32,
  beta1: f32, beta2: f32, stepSize: f32, epsHat: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(stepSize), eps = f32x4.splat(epsHat);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const update = f32x4.div(f32x4.mul(step, mi), f32x4.add(f32x4.sqrt(vi), eps));
    v128.store(p + o, f32x4.sub(v128.load(p + o), update));
  }
}
`;
