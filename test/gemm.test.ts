import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { uniform } from "./helpers/random.js";

// Every size in each dimension: 1 (scalar only), 3 (tail only), 4 (one lane), 5 (lane + tail),
// 17 (4 tiles of 4 rows + 1, two 8-wide panels + 1) and 33 (four panels + 1).
const SIZES = [1, 3, 4, 5, 17, 33];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const SENTINEL = 12345.5;
const f = Math.fround;

interface Case {
  m: number; n: number; k: number; transA: boolean; transB: boolean;
  a: Float32Array; b: Float32Array; c: Float32Array;
}

/** op(A)[i, p] and op(B)[p, j] of the stored matrices. */
const aAt = (x: Case, i: number, p: number) => (x.transA ? x.a[p * x.m + i] : x.a[i * x.k + p]);
const bAt = (x: Case, p: number, j: number) => (x.transB ? x.b[j * x.k + p] : x.b[p * x.n + j]);

/** The kernels' contract, written out: each C element adds its k products in order p = 0 … k−1, rounded to float32. */
function inOrder(x: Case): Float32Array {
  const out = Float32Array.from(x.c);
  for (let i = 0; i < x.m; i++) for (let j = 0; j < x.n; j++) {
    let acc = out[i * x.n + j];
    for (let p = 0; p < x.k; p++) acc = f(acc + f(aAt(x, i, p) * bAt(x, p, j)));
    out[i * x.n + j] = acc;
  }
  return out;
}

/** Worst |C − exact| / bound over the elements, with the sums in float64 (float32 products are exact there; the sums nearly). */
function errorOverBound(x: Case, got: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < x.m; i++) for (let j = 0; j < x.n; j++) {
    let exact = x.c[i * x.n + j];
    let magnitude = Math.abs(exact);
    for (let p = 0; p < x.k; p++) {
      const ab = aAt(x, i, p) * bAt(x, p, j);
      exact += ab;
      magnitude += Math.abs(ab);
    }
    // Recursive summation of k + 1 terms with rounded products: |error| ≤ (k + 1)·u·Σ|terms| to first
    // order (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), u = 2^-24; +1 for the products.
    const bound = (x.k + 2) * 2 ** -24 * magnitude;
    worst = Math.max(worst, Math.abs(got[i * x.n + j] - exact) / bound);
  }
  return worst;
}

function makeCase(m: number, n: number, k: number, transA: boolean, transB: boolean, seed: number): Case {
  return { m, n, k, transA, transB, a: uniform(m * k, seed), b: uniform(k * n, seed + 1), c: uniform(m * n, seed + 2) };
}

/**
 * Runs one case on `engine` with every matrix `shift` floats past a 16-byte boundary (rows of
 * n = 5 are unaligned anyway) and sentinels after C; returns C and whether A, B and the sentinels survived.
 */
function run(engine: Engine, x: Case, shift: number) {
  const heap = engine.heap;
  const place = (values: Float32Array, extra: number) => {
    const at = heap.alloc(values.length + shift + extra);
    heap.f32.set(values, (at >>> 2) + shift);
    return { block: at, ptr: at + 4 * shift };
  };
  const A = place(x.a, 0), B = place(x.b, 0), C = place(x.c, 8);
  heap.f32.fill(SENTINEL, (C.ptr >>> 2) + x.c.length, (C.ptr >>> 2) + x.c.length + 8);
  engine.kernels.gemm(C.ptr, A.ptr, B.ptr, x.m, x.n, x.k, x.transA, x.transB);
  const view = (ptr: number, n: number) => heap.f32.slice(ptr >>> 2, (ptr >>> 2) + n);
  const out = {
    c: view(C.ptr, x.c.length),
    inputsKept: view(A.ptr, x.a.length).every((v, i) => Object.is(v, x.a[i])) && view(B.ptr, x.b.length).every((v, i) => Object.is(v, x.b[i])),
    sentinelsKept: view(C.ptr + 4 * x.c.length, 8).every((v) => v === SENTINEL),
  };
  for (const { block } of [A, B, C]) heap.free(block);
  return out;
}

describe.each(BACKENDS)("gemm on %s: C += op(A)·op(B)", (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  afterAll(() => engine.dispose());

  it.each(TRANSPOSES)("transA %s, transB %s: every size in 1, 3, 4, 5, 17, 33 per dimension, in the contract's order, within the error bound", (transA, transB) => {
    let cases = 0, worst = 0;
    for (const m of SIZES) for (const n of SIZES) for (const k of SIZES) {
      const x = makeCase(m, n, k, transA, transB, 1000 * m + 10 * n + k);
      const got = run(engine, x, (m + n + k) % 4);
      expect(got.inputsKept && got.sentinelsKept).toBe(true);
      const want = inOrder(x);
      // Bit for bit (Object.is tells −0 from +0): the order is fixed, so nothing may differ.
      if (!got.c.every((v, i) => Object.is(v, want[i]))) expect.fail(`${m}×${n}×${k} differs from the in-order sum`);
      worst = Math.max(worst, errorOverBound(x, got.c));
      cases++;
    }
    expect(cases).toBe(SIZES.length ** 3);
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0); // rounding happened: the test sees float32 sums, not exact ones
  });

  it("the MLP's five products give the in-order bits", () => {
    // [m, n, k, transA, transB] of X·W1, H·W2, Hᵀ·dZ, dZ·W2ᵀ, Xᵀ·dH at batch 32 (demo/mnist/model.ts).
    const shapes: [number, number, number, boolean, boolean][] = [
      [32, 128, 784, false, false], [32, 10, 128, false, false], [128, 10, 32, true, false], [32, 128, 10, false, true], [784, 128, 32, true, false],
    ];
    for (const [m, n, k, transA, transB] of shapes) {
      const x = makeCase(m, n, k, transA, transB, m + n + k);
      const got = run(engine, x, 0).c, want = inOrder(x);
      expect(got.every((v, i) => Object.is(v, want[i]))).toBe(true);
    }
  });
});

describe.each(BACKENDS)("gemmSymmetric on %s: the upper triangle, mirrored", (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  afterAll(() => engine.dispose());

  /** A symmetric n×n matrix (Muon's Gram matrices start from zeros; any symmetric C is allowed). */
  function symmetric(n: number, seed: number): Float32Array {
    const s = uniform(n * n, seed);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) s[i * n + j] = s[j * n + i];
    return s;
  }

  it.each([1, 3, 4, 5, 8, 9, 12, 17, 33, 64])("n = %i: XᵀX and A·A (A symmetric) have the full product's in-order bits", (n) => {
    for (const k of [1, 5, 17, 40]) {
      const x = uniform(k * n, 7 * n + k);
      const xt = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let i = 0; i < n; i++) xt[i * k + p] = x[p * n + i];
      const a = symmetric(n, n + k);
      for (const [left, right, depth] of [[xt, x, k], [a, a, n]] as const) {
        const c = symmetric(n, 3 * n + k);
        const want = inOrder({ m: n, n, k: depth, transA: false, transB: false, a: left, b: right, c });
        const [A, B, C] = [left, right, c].map((values) => {
          const block = engine.heap.alloc(values.length + 1);
          engine.heap.f32.set(values, block >>> 2);
          engine.heap.f32[(block >>> 2) + values.length] = SENTINEL;
          return block;
        });
        engine.kernels.gemmSymmetric(C, A, B, n, depth);
        const got = engine.heap.f32.slice(C >>> 2, (C >>> 2) + n * n);
        if (!got.every((v, i) => Object.is(v, want[i]))) expect.fail(`${n}×${n}×${depth} differs from the in-order product`);
        expect(engine.heap.f32[(C >>> 2) + n * n]).toBe(SENTINEL);
        for (const block of [A, B, C]) engine.heap.free(block);
      }
    }
  });
});
