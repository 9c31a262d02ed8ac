import { ld, st, splat, add, mul } from "./lane";

/**
 * C += op(A)·op(B), float32, row-major: C is m×n; op(A) is m×k, stored m×k (or k×m when transA);
 * op(B) is k×n, stored k×n (or n×k when transB). Pointers are heap byte offsets; the heap's
 * blocks are 16-byte aligned but rows need not be (n = 10 gives 40-byte rows): v128.load's
 * alignment is only a hint, so any float offset is valid.
 *
 * The summation order is the contract that lets the scalar build and the js backend give the
 * same bits: every C element is its old value plus the k products added one at a time in
 * order p = 0, 1, …, k−1, each product and each sum rounded to float32 (wasm never fuses).
 * Blocking changes which elements are computed together, never an element's order. Where a
 * result is NaN its payload is whatever the arithmetic gave (not canonicalised), so identical bits
 * are promised for NaN-free results; the MNIST model stops on a non-finite loss anyway.
 *
 * Blocking: a register tile of 4 rows × 2 lanes-wide (4×8 floats in the SIMD build, 4×2 in the
 * scalar one) keeps 8 accumulators live across the whole k loop, loading each B vector once per
 * 4 rows and each A value once per 8 columns; leftover rows take 1-row tiles, leftover columns
 * one-lane-wide tiles and then scalars. With transB, B's columns are strided and a B vector is
 * gathered lane by lane (used only for the MLP's small dZ·W2ᵀ).
 */
export function gemm(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool): void {
  // Byte strides of op(A) (rows i, depth p) and op(B) (depth p, columns j).
  const rsA: usize = transA ? 4 : <usize>k << 2;
  const csA: usize = transA ? <usize>m << 2 : 4;
  if (transB) gemmStrides(c, a, b, m, n, k, rsA, csA, 4, <usize>k << 2, false);
  else gemmStrides(c, a, b, m, n, k, rsA, csA, <usize>n << 2, 4, true);
}

@inline function gemmStrides(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, rsA: usize, csA: usize, rsB: usize, csB: usize, rowB: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) j = panels<v128>(c, a, b, m, n, k, rsA, csA, rsB, csB, rowB, 0);
  panels<f32>(c, a, b, m, n, k, rsA, csA, rsB, csB, rowB, j);
}

/** Columns j0.. in panels two lanes wide, then one lane wide; returns the first column not done. */
@inline function panels<T>(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, rsA: usize, csA: usize, rsB: usize, csB: usize, rowB: bool, j0: i32): i32 {
  const w = isVector<T>() ? 4 : 1;
  let j = j0;
  for (; j + 2 * w <= n; j += 2 * w) {
    let i = 0;
    for (; i + 4 <= m; i += 4) tile4x2<T>(c, a, b, i, j, n, k, rsA, csA, rsB, csB, rowB);
    for (; i < m; i++) tile1xw<T>(c, a, b, i, j, n, k, rsA, csA, rsB, csB, rowB, 2);
  }
  for (; j + w <= n; j += w) {
    for (let i = 0; i < m; i++) tile1xw<T>(c, a, b, i, j, n, k, rsA, csA, rsB, csB, rowB, 1);
  }
  return j;
}

/** One lane of op(B)'s row p from column j: a v128 load when B's rows are contiguous, else gathered. */
@inline function ldB<T>(ptr: usize, csB: usize, rowB: bool): T {
  if (!isVector<T>() || rowB) return ld<T>(ptr);
  let v = f32x4.splat(load<f32>(ptr));
  v = f32x4.replace_lane(v, 1, load<f32>(ptr + csB));
  v = f32x4.replace_lane(v, 2, load<f32>(ptr + 2 * csB));
  v = f32x4.replace_lane(v, 3, load<f32>(ptr + 3 * csB));
  return <T>v;
}

@inline function tile4x2<T>(c: usize, a: usize, b: usize, i: i32, j: i32, n: i32, k: i32, rsA: usize, csA: usize, rsB: usize, csB: usize, rowB: bool): void {
  const lane: usize = isVector<T>() ? 16 : 4;
  const lanes: usize = lane >> 2;
  const rsC: usize = <usize>n << 2;
  const c0 = c + ((<usize>i * <usize>n + <usize>j) << 2), c1 = c0 + rsC, c2 = c1 + rsC, c3 = c2 + rsC;
  let x00 = ld<T>(c0), x01 = ld<T>(c0 + lane);
  let x10 = ld<T>(c1), x11 = ld<T>(c1 + lane);
  let x20 = ld<T>(c2), x21 = ld<T>(c2 + lane);
  let x30 = ld<T>(c3), x31 = ld<T>(c3 + lane);
  let pa = a + <usize>i * rsA;
  let pb = b + <usize>j * csB;
  const nextB = lanes * csB;
  for (let p = 0; p < k; p++) {
    const b0 = ldB<T>(pb, csB, rowB), b1 = ldB<T>(pb + nextB, csB, rowB);
    const a0 = splat<T>(load<f32>(pa)), a1 = splat<T>(load<f32>(pa + rsA));
    const a2 = splat<T>(load<f32>(pa + 2 * rsA)), a3 = splat<T>(load<f32>(pa + 3 * rsA));
    x00 = add<T>(x00, mul<T>(a0, b0)); x01 = add<T>(x01, mul<T>(a0, b1));
    x10 = add<T>(x10, mul<T>(a1, b0)); x11 = add<T>(x11, mul<T>(a1, b1));
    x20 = add<T>(x20, mul<T>(a2, b0)); x21 = add<T>(x21, mul<T>(a2, b1));
    x30 = add<T>(x30, mul<T>(a3, b0)); x31 = add<T>(x31, mul<T>(a3, b1));
    pa += csA;
    pb += rsB;
  }
  st<T>(c0, x00); st<T>(c0 + lane, x01);
  st<T>(c1, x10); st<T>(c1 + lane, x11);
  st<T>(c2, x20); st<T>(c2 + lane, x21);
  st<T>(c3, x30); st<T>(c3 + lane, x31);
}

/** One row of C, `width` lanes (1 or 2) from column j. */
@inline function tile1xw<T>(c: usize, a: usize, b: usize, i: i32, j: i32, n: i32, k: i32, rsA: usize, csA: usize, rsB: usize, csB: usize, rowB: bool, width: i32): void {
  const lane: usize = isVector<T>() ? 16 : 4;
  const nextB = (lane >> 2) * csB;
  const c0 = c + ((<usize>i * <usize>n + <usize>j) << 2);
  let x0 = ld<T>(c0);
  let x1 = width == 2 ? ld<T>(c0 + lane) : splat<T>(0);
  let pa = a + <usize>i * rsA;
  let pb = b + <usize>j * csB;
  for (let p = 0; p < k; p++) {
    const a0 = splat<T>(load<f32>(pa));
    x0 = add<T>(x0, mul<T>(a0, ldB<T>(pb, csB, rowB)));
    if (width == 2) x1 = add<T>(x1, mul<T>(a0, ldB<T>(pb + nextB, csB, rowB)));
    pa += csA;
    pb += rsB;
  }
  st<T>(c0, x0);
  if (width == 2) st<T>(c0 + lane, x1);
}

/**
 * C += A·B for a product known to be symmetric (A = Xᵀ stored as a matrix and B = X, or A = B
 * symmetric), n×n, both operands stored plainly: computes only the tiles that reach the upper
 * triangle (j ≥ i), each element in the order of `gemm`, then copies the upper triangle onto the
 * lower. C must start symmetric (Muon's start from zeros). The two halves of such a product add the
 * same products (x·y = y·x exactly) in the same order, so the result has gemm's bits (a NaN's payload
 * aside) for about half the work: Muon's Gram matrix XᵀX and its square.
 */
export function gemmSymmetric(c: usize, a: usize, b: usize, n: i32, k: i32): void {
  const rsA: usize = <usize>k << 2;
  const rsB: usize = <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) j = upperPanels<v128>(c, a, b, n, k, rsA, rsB, 0);
  upperPanels<f32>(c, a, b, n, k, rsA, rsB, j);
  for (let i = 1; i < n; i++) {
    const row = c + ((<usize>i * <usize>n) << 2);
    for (let jj = 0; jj < i; jj++) store<f32>(row + (<usize>jj << 2), load<f32>(c + ((<usize>jj * <usize>n + <usize>i) << 2)));
  }
}

/** As `panels`, but each column panel only down to the rows that reach its diagonal block. */
@inline function upperPanels<T>(c: usize, a: usize, b: usize, n: i32, k: i32, rsA: usize, rsB: usize, j0: i32): i32 {
  const w = isVector<T>() ? 4 : 1;
  let j = j0;
  for (; j + 2 * w <= n; j += 2 * w) {
    const rows = j + 2 * w;
    let i = 0;
    for (; i + 4 <= rows; i += 4) tile4x2<T>(c, a, b, i, j, n, k, rsA, 4, rsB, 4, true);
    for (; i < rows; i++) tile1xw<T>(c, a, b, i, j, n, k, rsA, 4, rsB, 4, true, 2);
  }
  for (; j + w <= n; j += w) {
    for (let i = 0; i < j + w; i++) tile1xw<T>(c, a, b, i, j, n, k, rsA, 4, rsB, 4, true, 1);
  }
  return j;
}
