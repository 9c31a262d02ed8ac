import type { Kernels } from "../contract.js";
import type { Heap } from "../../memory/heap.js";
import { bitsOf, f, put } from "./fround.js";

/** See assembly/kernels/adafactor.ts: the same float32 operations and float64 sums, in the same order. */
type AdafactorKernels = Pick<Kernels, "adafactorFactors" | "adafactorFactoredSq" | "adafactorFactoredStep" | "adafactorVectorSq" | "adafactorVectorStep">;

/** torch's lerp in its two forms (assembly/kernels/adafactorLane.ts), from float32 operands. */
function lerp(s: number, x: number, w: number, oneMinusW: number, small: boolean): number {
  return small ? f(s + f(w * f(x - s))) : f(x - f(f(x - s) * oneMinusW));
}

/** U = rsqrt(max(v, ε1²))·G, as 1/√ then ×. */
function update(grad: number, v: number, eps1Sq: number): number {
  return f(f(1 / f(Math.sqrt(Math.max(v, eps1Sq)))) * grad);
}

// What an element's value x is (assembly/kernels/adafactorLane.ts, laneValue).
const GRAD = 0, FACTORED = 1, VARIANCE_LERP = 3;

/**
 * The value of element i of a row: G, or U from the factored estimate r·C[i] / m, or U after
 * v[i] ← lerp(v[i], G², w) (stored). Plain numbers in, no closure: a step allocates nothing.
 */
function value(
  h: Float32Array, hb: Uint32Array, mode: number, g0: number, aux0: number, i: number,
  gScale: number, r: number, m: number, eps1Sq: number, w: number, oneMinusW: number, small: boolean,
): number {
  const grad = f(gScale * h[g0 + i]);
  if (mode === GRAD) return grad;
  if (mode === FACTORED) return update(grad, f(f(r * h[aux0 + i]) / m), eps1Sq);
  const v = lerp(h[aux0 + i], f(grad * grad), w, oneMinusW, small);
  put(h, hb, aux0 + i, v);
  return update(grad, v, eps1Sq);
}

/**
 * Σ x² of a row's n values, in sumSquares's order: eight partial sums over i mod 8 up to n & ~7,
 * combined ((s0+s2)+(s4+s6)) + ((s1+s3)+(s5+s7)), then the tail. A float32 squared is exact in
 * float64, so only the additions round, as in wasm.
 */
function sumSquaresOf(
  h: Float32Array, hb: Uint32Array, mode: number, g0: number, aux0: number, n: number,
  gScale: number, r: number, m: number, eps1Sq: number, w: number, oneMinusW: number, small: boolean,
): number {
  const body = n & ~7;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  for (let i = 0; i < body; i += 8) {
    const x0 = value(h, hb, mode, g0, aux0, i, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x1 = value(h, hb, mode, g0, aux0, i + 1, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x2 = value(h, hb, mode, g0, aux0, i + 2, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x3 = value(h, hb, mode, g0, aux0, i + 3, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x4 = value(h, hb, mode, g0, aux0, i + 4, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x5 = value(h, hb, mode, g0, aux0, i + 5, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x6 = value(h, hb, mode, g0, aux0, i + 6, gScale, r, m, eps1Sq, w, oneMinusW, small);
    const x7 = value(h, hb, mode, g0, aux0, i + 7, gScale, r, m, eps1Sq, w, oneMinusW, small);
    s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
    s4 += x4 * x4; s5 += x5 * x5; s6 += x6 * x6; s7 += x7 * x7;
  }
  let tail = 0;
  for (let i = body; i < n; i++) {
    const x = value(h, hb, mode, g0, aux0, i, gScale, r, m, eps1Sq, w, oneMinusW, small);
    tail += x * x;
  }
  return (s0 + s2 + (s4 + s6)) + (s1 + s3 + (s5 + s7)) + tail;
}

/** max(mean(rowVar), ε1) of one matrix: its row factors added in order in float64. */
function rowMeanClamped(h: Float32Array, r0: number, rows: number, eps1: number): number {
  let s = 0;
  for (let i = 0; i < rows; i++) s += h[r0 + i];
  return Math.max(f(s / rows), eps1);
}

export function adafactorKernels(heap: Heap): AdafactorKernels {
  return {
    adafactorFactors(g, rowVar, colVar, batch, rows, cols, gScale, weight) {
      const h = heap.f32, hb = bitsOf(h);
      gScale = f(gScale); weight = f(weight);
      const small = Math.abs(weight) < 0.5, oneMinusW = f(1 - weight);
      for (let b = 0; b < batch; b++) {
        const g0 = (g >>> 2) + b * rows * cols, r0 = (rowVar >>> 2) + b * rows, c0 = (colVar >>> 2) + b * cols;
        for (let i = 0; i < rows; i++) {
          const sum = sumSquaresOf(h, hb, GRAD, g0 + i * cols, 0, cols, gScale, 0, 0, 0, 0, 0, true);
          put(h, hb, r0 + i, lerp(h[r0 + i], f(sum / cols), weight, oneMinusW, small));
        }
        // Each column's rows added in order 0 … rows−1.
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < rows; i++) {
            const x = f(gScale * h[g0 + i * cols + j]);
            s += x * x;
          }
          put(h, hb, c0 + j, lerp(h[c0 + j], f(s / rows), weight, oneMinusW, small));
        }
      }
    },

    adafactorFactoredSq(g, rowVar, colVar, batch, rows, cols, gScale, eps1, eps1Sq) {
      const h = heap.f32, hb = bitsOf(h);
      gScale = f(gScale); eps1 = f(eps1); eps1Sq = f(eps1Sq);
      let total = 0;
      for (let b = 0; b < batch; b++) {
        const g0 = (g >>> 2) + b * rows * cols, r0 = (rowVar >>> 2) + b * rows, c0 = (colVar >>> 2) + b * cols;
        const m = rowMeanClamped(h, r0, rows, eps1);
        for (let i = 0; i < rows; i++) {
          total += sumSquaresOf(h, hb, FACTORED, g0 + i * cols, c0, cols, gScale, h[r0 + i], m, eps1Sq, 0, 0, true);
        }
      }
      return total;
    },

    adafactorFactoredStep(p, g, rowVar, colVar, batch, rows, cols, gScale, eps1, eps1Sq, decay, stepSize) {
      const h = heap.f32, hb = bitsOf(h);
      gScale = f(gScale); eps1 = f(eps1); eps1Sq = f(eps1Sq); decay = f(decay); stepSize = f(stepSize);
      for (let b = 0; b < batch; b++) {
        const r0 = (rowVar >>> 2) + b * rows, c0 = (colVar >>> 2) + b * cols;
        const m = rowMeanClamped(h, r0, rows, eps1);
        for (let i = 0; i < rows; i++) {
          const r = h[r0 + i], at = b * rows * cols + i * cols, p0 = (p >>> 2) + at, g0 = (g >>> 2) + at;
          for (let j = 0; j < cols; j++) {
            const u = update(f(gScale * h[g0 + j]), f(f(r * h[c0 + j]) / m), eps1Sq);
            put(h, hb, p0 + j, f(decay * h[p0 + j]) - f(stepSize * u));
          }
        }
      }
    },

    adafactorVectorSq(g, v, n, gScale, weight, eps1Sq) {
      const h = heap.f32, hb = bitsOf(h);
      gScale = f(gScale); weight = f(weight); eps1Sq = f(eps1Sq);
      const small = Math.abs(weight) < 0.5, oneMinusW = f(1 - weight);
      return sumSquaresOf(h, hb, VARIANCE_LERP, g >>> 2, v >>> 2, n, gScale, 0, 0, eps1Sq, weight, oneMinusW, small);
    },

    adafactorVectorStep(p, g, v, n, gScale, eps1Sq, decay, stepSize) {
      const h = heap.f32, hb = bitsOf(h);
      gScale = f(gScale); eps1Sq = f(eps1Sq); decay = f(decay); stepSize = f(stepSize);
      const p0 = p >>> 2, g0 = g >>> 2, v0 = v >>> 2;
      for (let i = 0; i < n; i++) {
        const u = update(f(gScale * h[g0 + i]), h[v0 + i], eps1Sq);
        put(h, hb, p0 + i, f(decay * h[p0 + i]) - f(stepSize * u));
      }
    },
  };
}
