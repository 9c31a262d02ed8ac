import type { Engine, Param } from "../../src/index.js";
import { Activations } from "./activations.js";
import { CLASSES, IMAGE_SIZE, type Digits } from "./data.js";
import { HIDDEN, type MlpWeights } from "./weights.js";

/** Mean cross-entropy and the fraction classified correctly. */
export interface Score {
  loss: number;
  accuracy: number;
}

/** Rows per forward pass when scoring: large enough that the GEMM's 4-row tiles dominate. */
const EVAL_ROWS = 256;

/**
 * The 784-128-10 MLP (ReLU, softmax cross-entropy) with its tensors and activations in the
 * engine's heap. The four matrix products of a batch (X·W1, H·W2 forward; Hᵀ·dZ, dZ·W2ᵀ, Xᵀ·dH
 * backward) run on the engine's GEMM kernel, so on every backend; the O(rows × 128) rest (bias,
 * ReLU, softmax) is plain JS on the same float32 values, so every backend gives the same bits.
 */
export class Mlp {
  readonly w1: Param;
  readonly b1: Param;
  readonly w2: Param;
  readonly b2: Param;
  private readonly acts: Activations;

  constructor(private readonly engine: Engine, init: MlpWeights) {
    this.w1 = engine.param(init.w1, { name: "fc1.w", shape: [IMAGE_SIZE, HIDDEN] });
    this.b1 = engine.param(init.b1, { name: "fc1.b" });
    this.w2 = engine.param(init.w2, { name: "fc2.w", shape: [HIDDEN, CLASSES] });
    this.b2 = engine.param(init.b2, { name: "fc2.b" });
    this.acts = new Activations(engine);
  }

  get params(): Param[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /**
   * Adds the gradient of the batch's mean loss to the `grad` views (zero them first) and returns
   * that mean loss. The batch is `order[start .. end)`, indices into `digits`.
   */
  accumulateGradients(digits: Digits, order: Uint32Array, start: number, end: number): number {
    const rows = end - start;
    const loss = this.forward(digits, order, start, rows, null);
    const { acts, w1, b1, w2, b2 } = this;
    const heap = this.engine.heap.f32;
    const gemm = this.engine.kernels.gemm;
    // Logits' slot holds dL/dZ now (see softmax); the bias gradients are its and dH's column sums.
    addColumnSums(heap, acts.z >>> 2, rows, CLASSES, b2.grad);
    gemm(w2.gradOffset, acts.h, acts.z, HIDDEN, CLASSES, rows, true, false); // gW2 += Hᵀ·dZ
    heap.fill(0, acts.dh >>> 2, (acts.dh >>> 2) + rows * HIDDEN);
    gemm(acts.dh, acts.z, w2.dataOffset, rows, HIDDEN, CLASSES, false, true); // dH = dZ·W2ᵀ
    // ReLU passes no gradient where it was off (H holds max(0, ·), so H = 0 there).
    const h0 = acts.h >>> 2, dh0 = acts.dh >>> 2;
    for (let i = 0; i < rows * HIDDEN; i++) if (heap[h0 + i] === 0) heap[dh0 + i] = 0;
    addColumnSums(heap, dh0, rows, HIDDEN, b1.grad);
    gemm(w1.gradOffset, acts.x, acts.dh, IMAGE_SIZE, HIDDEN, rows, true, false); // gW1 += Xᵀ·dH
    return loss;
  }

  /** Mean loss and accuracy over all of `digits` (no gradients). */
  evaluate(digits: Digits): Score {
    const order = Uint32Array.from({ length: digits.count }, (_, i) => i);
    let lossSum = 0;
    const correct = { count: 0 };
    for (let start = 0; start < digits.count; start += EVAL_ROWS) {
      const rows = Math.min(EVAL_ROWS, digits.count - start);
      lossSum += rows * this.forward(digits, order, start, rows, correct);
    }
    return { loss: lossSum / digits.count, accuracy: correct.count / digits.count };
  }

  /** Frees the tensors and activations. */
  dispose(): void {
    this.acts.free();
    for (const p of this.params) p.dispose();
  }

  /**
   * Rows `order[start .. start + rows)` through the network: H = max(0, X·W1 + b1) and
   * Z = H·W2 + b2 in the heap; then Z is replaced by dL/dZ = (softmax − onehot) / rows.
   * Returns the mean cross-entropy; counts the correct argmaxes into `correct` when given.
   */
  private forward(digits: Digits, order: Uint32Array, start: number, rows: number, correct: { count: number } | null): number {
    const { acts, w1, b1, w2, b2 } = this;
    acts.ensure(rows); // may grow the heap: views after this
    const heap = this.engine.heap.f32;
    const gemm = this.engine.kernels.gemm;
    const x0 = acts.x >>> 2, h0 = acts.h >>> 2, z0 = acts.z >>> 2;
    for (let r = 0; r < rows; r++) {
      const row = order[start + r];
      heap.set(digits.images.subarray(row * IMAGE_SIZE, (row + 1) * IMAGE_SIZE), x0 + r * IMAGE_SIZE);
    }
    fillRows(heap, h0, rows, b1.data);
    gemm(acts.h, acts.x, w1.dataOffset, rows, HIDDEN, IMAGE_SIZE, false, false); // H += X·W1
    for (let i = h0; i < h0 + rows * HIDDEN; i++) if (!(heap[i] > 0)) heap[i] = 0;
    fillRows(heap, z0, rows, b2.data);
    gemm(acts.z, acts.h, w2.dataOffset, rows, CLASSES, HIDDEN, false, false); // Z += H·W2
    let lossSum = 0;
    for (let r = 0; r < rows; r++) {
      const label = digits.labels[order[start + r]];
      lossSum += softmaxGradient(heap, z0 + r * CLASSES, label, rows, correct);
    }
    return lossSum / rows;
  }
}

/** Every one of `rows` rows of `width` floats at float index `at` set to `values`. */
function fillRows(heap: Float32Array, at: number, rows: number, values: Float32Array): void {
  for (let r = 0; r < rows; r++) heap.set(values, at + r * values.length);
}

/** out[j] += Σ_r M[r, j], in row order (float32 sums, the same on every backend). */
function addColumnSums(heap: Float32Array, at: number, rows: number, width: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) out[j] += heap[at + r * width + j];
  }
}

/**
 * One row of logits at float index `at`: returns its cross-entropy for `label` and overwrites
 * it with d(mean loss)/d(logit) = (softmax − onehot) / batch. Log-sum-exp is shifted by the
 * largest logit, so exp never overflows; float64 throughout, from the float32 logits.
 */
function softmaxGradient(heap: Float32Array, at: number, label: number, batch: number, correct: { count: number } | null): number {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (heap[at + c] > heap[at + best]) best = c;
  if (correct && best === label) correct.count++;
  const max = heap[at + best];
  let sum = 0;
  for (let c = 0; c < CLASSES; c++) sum += Math.exp(heap[at + c] - max);
  const loss = Math.log(sum) + max - heap[at + label];
  for (let c = 0; c < CLASSES; c++) heap[at + c] = (Math.exp(heap[at + c] - max) / sum - (c === label ? 1 : 0)) / batch;
  return loss;
}
