/**
 * Σ x² in float64 with Neumaier's compensation: the squares of float32 values are exact in float64,
 * so this is the true sum to within about one rounding, the reference the clip kernels are held to.
 */
export function exactSumSquares(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const term = values[i] * values[i];
    const t = sum + term;
    compensation += Math.abs(sum) >= term ? sum - t + term : term - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/**
 * The largest relative error of a float64 sum of n non-negative terms done as the kernels do
 * (eight interleaved running sums of n/8 terms, three combining additions, a tail of <= 7 terms and
 * the final addition): γ_k = k·u/(1 − k·u) with k = n/8 + 11 and u = 2^−53 (Higham, Accuracy and
 * Stability of Numerical Algorithms, §4.2: recursive summation of non-negative terms).
 */
export function float64SumBound(n: number): number {
  const k = Math.ceil(n / 8) + 11;
  const u = 2 ** -53;
  return (k * u) / (1 - k * u);
}
