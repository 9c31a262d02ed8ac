import { CLASSES, IMAGE_SIZE, type Digits } from "../../demo/mnist/data.js";
import { HIDDEN } from "../../demo/mnist/weights.js";

/** The MLP's four tensors in float64, laid out as the demo's (w1 [784, 128], w2 [128, 10]). */
export interface MlpTensors {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/**
 * The 784-128-10 MLP (ReLU, softmax cross-entropy) in plain float64 loops, one sample at a time:
 * the reference the GEMM model is checked against. Returns the batch's mean loss and its gradient.
 */
export function mlpReference(t: MlpTensors, digits: Digits, rows: ArrayLike<number>): { loss: number; grad: MlpTensors } {
  const grad: MlpTensors = {
    w1: new Float64Array(t.w1.length), b1: new Float64Array(HIDDEN), w2: new Float64Array(t.w2.length), b2: new Float64Array(CLASSES),
  };
  const hidden = new Float64Array(HIDDEN), dHidden = new Float64Array(HIDDEN), logits = new Float64Array(CLASSES);
  const scale = 1 / rows.length;
  let loss = 0;
  for (let r = 0; r < rows.length; r++) {
    const x = digits.images.subarray(rows[r] * IMAGE_SIZE, (rows[r] + 1) * IMAGE_SIZE);
    const label = digits.labels[rows[r]];
    hidden.set(t.b1);
    // Pixel-major, skipping unlit pixels (about 81%): w1's rows are read contiguously.
    for (let i = 0; i < IMAGE_SIZE; i++) {
      if (x[i] === 0) continue;
      for (let j = 0; j < HIDDEN; j++) hidden[j] += x[i] * t.w1[i * HIDDEN + j];
    }
    for (let j = 0; j < HIDDEN; j++) hidden[j] = Math.max(0, hidden[j]);
    for (let c = 0; c < CLASSES; c++) {
      let s = t.b2[c];
      for (let j = 0; j < HIDDEN; j++) s += hidden[j] * t.w2[j * CLASSES + c];
      logits[c] = s;
    }
    const max = Math.max(...logits);
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += Math.exp(logits[c] - max);
    loss += Math.log(sum) + max - logits[label];
    for (let c = 0; c < CLASSES; c++) logits[c] = (Math.exp(logits[c] - max) / sum - (c === label ? 1 : 0)) * scale;
    for (let j = 0; j < HIDDEN; j++) {
      let dh = 0;
      for (let c = 0; c < CLASSES; c++) {
        grad.w2[j * CLASSES + c] += hidden[j] * logits[c];
        dh += t.w2[j * CLASSES + c] * logits[c];
      }
      dHidden[j] = hidden[j] > 0 ? dh : 0;
      grad.b1[j] += dHidden[j];
    }
    for (let c = 0; c < CLASSES; c++) grad.b2[c] += logits[c];
    for (let i = 0; i < IMAGE_SIZE; i++) {
      if (x[i] === 0) continue;
      for (let j = 0; j < HIDDEN; j++) grad.w1[i * HIDDEN + j] += x[i] * dHidden[j];
    }
  }
  return { loss: loss * scale, grad };
}
