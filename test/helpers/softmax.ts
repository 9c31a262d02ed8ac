import type { Digits } from "../../demo/mnist/data.js";

/**
 * Softmax regression on MNIST rows (dense, 784 grey levels each): logits = W·x + b with W [10, 784] and b [10]; the mean
 * cross-entropy over a batch, its gradient written into gW and gB. A small real problem for tests.
 */
export function softmaxLoss(digits: Digits, rows: ArrayLike<number>, w: Float32Array, b: Float32Array, gW: Float32Array, gB: Float32Array): number {
  gW.fill(0);
  gB.fill(0);
  const logits = new Float64Array(10);
  let loss = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const x = digits.images.subarray(row * 784, (row + 1) * 784);
    for (let c = 0; c < 10; c++) {
      let z = b[c];
      for (let k = 0; k < 784; k++) z += w[c * 784 + k] * x[k];
      logits[c] = z;
    }
    const max = Math.max(...logits);
    let total = 0;
    for (let c = 0; c < 10; c++) total += Math.exp(logits[c] - max);
    const label = digits.labels[row];
    loss += Math.log(total) + max - logits[label];
    for (let c = 0; c < 10; c++) {
      const delta = (Math.exp(logits[c] - max) / total - (c === label ? 1 : 0)) / rows.length;
      gB[c] += delta;
      for (let k = 0; k < 784; k++) gW[c * 784 + k] += delta * x[k];
    }
  }
  return loss / rows.length;
}
