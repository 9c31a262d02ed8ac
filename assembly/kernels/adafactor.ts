import { ld, st, splat, sub, mul, watch, sawNaN, canonicalizeNaN } from "../ops/lane";
import { squaresLow, squaresHigh } from "../ops/sumSquares";
import { GRAD, FACTORED, VARIANCE, VARIANCE_LERP, lerp, laneValue, sumLaneSquares } from "./adafactorLane";

// Adafactor as torch.optim.Adafactor computes it (docs/adafactor.md), one parameter per call:
// a param of ≥ 2 dims is `batch` row-major matrices of rows × cols (the leading dims flattened),
// with a row factor (batch·rows floats) and a column factor (batch·cols floats); a 1-D param has
// a per-element variance. The caller computes in float64 the step's scalars, α from the
// parameter's RMS (sumSquares) and the update's clipping from the Σ U² these kernels return:
//   adafactorFactors → adafactorFactoredSq → adafactorFactoredStep    (≥ 2 dims)
//   adafactorVectorSq → adafactorVectorStep                           (1 dim)
// G = gScale·g, U = rsqrt(max(V, ε1²))·G and p ← decay·p − stepSize·U in float32; every sum in
// float64 in a fixed order. Pointers are heap byte offsets with no alignment needed (a param
// packed in a group starts anywhere; v128.load's alignment is only a hint).

/**
 * The factored second-moment statistics of one parameter: for each matrix, the row means and the
 * column means of G², each a float64 sum (rows: sumSquares's order; columns: rows added in order)
 * divided by the count and rounded to float32, lerped into rowVar / colVar with weight w = 1 − β2ₜ.
 */
export function adafactorFactors(
  g: usize, rowVar: usize, colVar: usize, batch: i32, rows: i32, cols: i32, gScale: f32, weight: f32,
): void {
  const small = Mathf.abs(weight) < 0.5;
  const oneMinusW: f32 = 1 - weight;
  const matrix = (<usize>rows * <usize>cols) << 2;
  for (let b = 0; b < batch; b++) {
    const gb = g + <usize>b * matrix;
    const rb = rowVar + ((<usize>b * <usize>rows) << 2), cb = colVar + ((<usize>b * <usize>cols) << 2);
    for (let i = 0; i < rows; i++) {
      const sum = sumLaneSquares(GRAD, gb + ((<usize>i * <usize>cols) << 2), 0, cols, gScale, 0, 0, 0, 0, 0, true);
      lerpMean(rb + (<usize>i << 2), sum, cols, weight, oneMinusW, small);
    }
    columnMeans(gb, cb, rows, cols, gScale, weight, oneMinusW, small);
  }
}

/** s ← lerp(s, mean) with mean = sum / count rounded to float32 once. */
@inline function lerpMean(s: usize, sum: f64, count: i32, w: f32, oneMinusW: f32, small: bool): void {
  st<f32>(s, lerp<f32>(ld<f32>(s), <f32>(sum / <f64>count), w, oneMinusW, small));
}

/**
 * Column sums of G² over one matrix, each column's rows added in order 0 … rows−1 in float64 (the
 * grouping of columns changes nothing). Eight columns walk down the rows together in the SIMD
 * build, four in the scalar one, so each cache line read is mostly used.
 */
@inline function columnMeans(g: usize, col: usize, rows: i32, cols: i32, gScale: f32, w: f32, oneMinusW: f32, small: bool): void {
  const stride = <usize>cols << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale);
    for (; j + 8 <= cols; j += 8) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let at = g + (<usize>j << 2);
      for (let i = 0; i < rows; i++, at += stride) {
        const x = mul<v128>(gScaleV, ld<v128>(at)), y = mul<v128>(gScaleV, ld<v128>(at + 16));
        a0 = f64x2.add(a0, squaresLow(x));
        a1 = f64x2.add(a1, squaresHigh(x));
        a2 = f64x2.add(a2, squaresLow(y));
        a3 = f64x2.add(a3, squaresHigh(y));
      }
      const c = col + (<usize>j << 2);
      lerpMean(c, f64x2.extract_lane(a0, 0), rows, w, oneMinusW, small);
      lerpMean(c + 4, f64x2.extract_lane(a0, 1), rows, w, oneMinusW, small);
      lerpMean(c + 8, f64x2.extract_lane(a1, 0), rows, w, oneMinusW, small);
      lerpMean(c + 12, f64x2.extract_lane(a1, 1), rows, w, oneMinusW, small);
      lerpMean(c + 16, f64x2.extract_lane(a2, 0), rows, w, oneMinusW, small);
      lerpMean(c + 20, f64x2.extract_lane(a2, 1), rows, w, oneMinusW, small);
      lerpMean(c + 24, f64x2.extract_lane(a3, 0), rows, w, oneMinusW, small);
      lerpMean(c + 28, f64x2.extract_lane(a3, 1), rows, w, oneMinusW, small);
    }
  }
  for (; j + 4 <= cols; j += 4) {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let at = g + (<usize>j << 2);
    for (let i = 0; i < rows; i++, at += stride) {
      s0 += scaledSquare(at, gScale);
      s1 += scaledSquare(at + 4, gScale);
      s2 += scaledSquare(at + 8, gScale);
      s3 += scaledSquare(at + 12, gScale);
    }
    const c = col + (<usize>j << 2);
    lerpMean(c, s0, rows, w, oneMinusW, small);
    lerpMean(c + 4, s1, rows, w, oneMinusW, small);
    lerpMean(c + 8, s2, rows, w, oneMinusW, small);
    lerpMean(c + 12, s3, rows, w, oneMinusW, small);
  }
  for (; j < cols; j++) {
    let s: f64 = 0;
    let at = g + (<usize>j << 2);
    for (let i = 0; i < rows; i++, at += stride) s += scaledSquare(at, gScale);
    lerpMean(col + (<usize>j << 2), s, rows, w, oneMinusW, small);
  }
}

@inline function scaledSquare(at: usize, gScale: f32): f64 {
  const x = <f64>(gScale * load<f32>(at));
  return x * x;
}

/**
 * The divisor of one matrix's factored estimate, max(mean(rowVar), ε1): the row factors added in
 * order in float64, divided by rows, rounded to float32.
 */
@inline function rowMeanClamped(rowVar: usize, rows: i32, eps1: f32): f32 {
  let s: f64 = 0;
  for (let i = 0; i < rows; i++) s += <f64>load<f32>(rowVar + (<usize>i << 2));
  return Mathf.max(<f32>(s / <f64>rows), eps1);
}

/**
 * Σ U² over a factored parameter, U = rsqrt(max(r·C[j] / m, ε1²))·G with m = max(mean(rowVar), ε1)
 * per matrix: each row's sum in sumSquares's order, rows and matrices added in order (float64).
 */
export function adafactorFactoredSq(
  g: usize, rowVar: usize, colVar: usize, batch: i32, rows: i32, cols: i32, gScale: f32, eps1: f32, eps1Sq: f32,
): f64 {
  const matrix = (<usize>rows * <usize>cols) << 2, rowBytes = <usize>cols << 2;
  let total: f64 = 0;
  for (let b = 0; b < batch; b++) {
    const gb = g + <usize>b * matrix;
    const rb = rowVar + ((<usize>b * <usize>rows) << 2), cb = colVar + ((<usize>b * <usize>cols) << 2);
    const m = rowMeanClamped(rb, rows, eps1);
    for (let i = 0; i < rows; i++) {
      const r = load<f32>(rb + (<usize>i << 2));
      total += sumLaneSquares(FACTORED, gb + <usize>i * rowBytes, cb, cols, gScale, r, m, eps1Sq, 0, 0, true);
    }
  }
  return total;
}

/** p ← decay·p − stepSize·U over a factored parameter (U as in adafactorFactoredSq). */
export function adafactorFactoredStep(
  p: usize, g: usize, rowVar: usize, colVar: usize, batch: i32, rows: i32, cols: i32,
  gScale: f32, eps1: f32, eps1Sq: f32, decay: f32, stepSize: f32,
): void {
  const matrix = (<usize>rows * <usize>cols) << 2, rowBytes = <usize>cols << 2;
  for (let b = 0; b < batch; b++) {
    const rb = rowVar + ((<usize>b * <usize>rows) << 2), cb = colVar + ((<usize>b * <usize>cols) << 2);
    const m = rowMeanClamped(rb, rows, eps1);
    for (let i = 0; i < rows; i++) {
      const at = <usize>b * matrix + <usize>i * rowBytes;
      stepRow(FACTORED, p + at, g + at, cb, cols, gScale, load<f32>(rb + (<usize>i << 2)), m, eps1Sq, decay, stepSize);
    }
  }
}

/**
 * Σ U² over an unfactored parameter after v ← lerp(v, G², w), U = rsqrt(max(v, ε1²))·G, in
 * sumSquares's order. A stored NaN makes its U, and so the sum, NaN: the sum is the SIMD body's watch.
 */
export function adafactorVectorSq(g: usize, v: usize, n: i32, gScale: f32, weight: f32, eps1Sq: f32): f64 {
  const oneMinusW: f32 = 1 - weight;
  const sum = Mathf.abs(weight) < 0.5
    ? sumLaneSquares(VARIANCE_LERP, g, v, n, gScale, 0, 0, eps1Sq, weight, oneMinusW, true)
    : sumLaneSquares(VARIANCE_LERP, g, v, n, gScale, 0, 0, eps1Sq, weight, oneMinusW, false);
  if (ASC_FEATURE_SIMD && sum != sum) canonicalizeNaN(v, n & ~7);
  return sum;
}

/** p ← decay·p − stepSize·U over an unfactored parameter, U from the variance adafactorVectorSq stored. */
export function adafactorVectorStep(p: usize, g: usize, v: usize, n: i32, gScale: f32, eps1Sq: f32, decay: f32, stepSize: f32): void {
  stepRow(VARIANCE, p, g, v, n, gScale, 0, 0, eps1Sq, decay, stepSize);
}

/** p ← decay·p − stepSize·U over n consecutive elements. */
@inline function stepRow(
  mode: i32, p: usize, g: usize, aux: usize, n: i32, gScale: f32, r: f32, m: f32, eps1Sq: f32, decay: f32, stepSize: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), rV = splat<v128>(r), mV = splat<v128>(m), epsV = splat<v128>(eps1Sq);
    const decayV = splat<v128>(decay), stepV = splat<v128>(stepSize), zero = splat<v128>(0);
    let seenA = zero, seenB = zero;
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      seenA = watch(seenA, stepLane<v128>(mode, p + o, g + o, aux + o, gScaleV, rV, mV, epsV, decayV, stepV));
      seenB = watch(seenB, stepLane<v128>(mode, p + o + 16, g + o + 16, aux + o + 16, gScaleV, rV, mV, epsV, decayV, stepV));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seenA = watch(seenA, stepLane<v128>(mode, p + o, g + o, aux + o, gScaleV, rV, mV, epsV, decayV, stepV));
    }
    if (sawNaN(seenA, seenB)) canonicalizeNaN(p, i);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    stepLane<f32>(mode, p + o, g + o, aux + o, gScale, r, m, eps1Sq, decay, stepSize);
  }
}

@inline function stepLane<T>(mode: i32, p: usize, g: usize, aux: usize, gScale: T, r: T, m: T, eps1Sq: T, decay: T, stepSize: T): T {
  // (The lerp weights are unused outside VARIANCE_LERP.)
  const u = laneValue<T>(mode, g, aux, gScale, r, m, eps1Sq, gScale, gScale, true);
  const next = sub<T>(mul<T>(decay, ld<T>(p)), mul<T>(stepSize, u));
  st<T>(p, next);
  return next;
}
