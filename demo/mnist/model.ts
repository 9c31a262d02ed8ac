import type { Engine, Param } from "../../src/index.js";
import { CLASSES, IMAGE_SIZE, type Digits } from "./data.js";
import { seededRandom } from "./random.js";

export const HIDDEN = 128;

/** Initial values of the four tensors, shared by every optimizer's run. */
export interface MlpWeights {
  /** [784, 128], input-major (the transpose of torch's nn.Linear layout) so a lit pixel adds one row. */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  /** [128, 10], hidden-major. */
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

/** torch.nn.Linear's default initialisation: weights and biases uniform in ±1/√fan_in. */
export function initialWeights(seed: number): MlpWeights {
  const next = seededRandom(seed);
  const uniform = (n: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * next() - 1) * bound;
    return out;
  };
  return {
    w1: uniform(IMAGE_SIZE * HIDDEN, IMAGE_SIZE),
    b1: uniform(HIDDEN, IMAGE_SIZE),
    w2: uniform(HIDDEN * CLASSES, HIDDEN),
    b2: uniform(CLASSES, HIDDEN),
  };
}

/** Mean cross-entropy and the fraction classified correctly. */
export interface Score {
  loss: number;
  accuracy: number;
}

/**
 * The 784-128-10 MLP (ReLU, softmax cross-entropy) with its tensors in the engine's heap.
 * Forward and backward run one sample at a time over preallocated float64 scratch, so a batch
 * allocates nothing; gradients accumulate straight into the heap's `grad` views.
 */
export class Mlp {
  readonly w1: Param;
  readonly b1: Param;
  readonly w2: Param;
  readonly b2: Param;
  private readonly hidden = new Float64Array(HIDDEN);
  private readonly dHidden = new Float64Array(HIDDEN);
  private readonly logits = new Float64Array(CLASSES);

  constructor(engine: Engine, init: MlpWeights) {
    this.w1 = engine.param(init.w1, { name: "fc1.w", shape: [IMAGE_SIZE, HIDDEN] });
    this.b1 = engine.param(init.b1, { name: "fc1.b" });
    this.w2 = engine.param(init.w2, { name: "fc2.w", shape: [HIDDEN, CLASSES] });
    this.b2 = engine.param(init.b2, { name: "fc2.b" });
  }

  get params(): Param[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /**
   * Adds the gradient of the batch's mean loss to the `grad` views (zero them first) and returns
   * that mean loss. The batch is `order[start .. end)`, indices into `digits`.
   */
  accumulateGradients(digits: Digits, order: Uint32Array, start: number, end: number): number {
    // Views are read once per batch: an optimizer relocates parameters when it packs them.
    const w1 = this.w1.data, b1 = this.b1.data, w2 = this.w2.data, b2 = this.b2.data;
    const gw1 = this.w1.grad, gb1 = this.b1.grad, gw2 = this.w2.grad, gb2 = this.b2.grad;
    const { hidden, dHidden, logits } = this;
    const { offsets, index, value, labels } = digits;
    const scale = 1 / (end - start);
    let lossSum = 0;
    for (let s = start; s < end; s++) {
      const row = order[s];
      const from = offsets[row];
      const to = offsets[row + 1];
      lossSum += this.forward(w1, b1, w2, b2, index, value, from, to, labels[row]);
      // Softmax probabilities are in `logits` now; d(loss)/d(logit) = (p − onehot) / batch.
      logits[labels[row]] -= 1;
      for (let c = 0; c < CLASSES; c++) {
        const dz = logits[c] * scale;
        logits[c] = dz;
        gb2[c] += dz;
      }
      for (let j = 0; j < HIDDEN; j++) {
        const h = hidden[j];
        if (h <= 0) {
          dHidden[j] = 0; // ReLU passes no gradient where it was off
          continue;
        }
        const at = j * CLASSES;
        let dh = 0;
        for (let c = 0; c < CLASSES; c++) {
          gw2[at + c] += h * logits[c];
          dh += w2[at + c] * logits[c];
        }
        dHidden[j] = dh;
        gb1[j] += dh;
      }
      for (let k = from; k < to; k++) {
        const x = value[k];
        const at = index[k] * HIDDEN;
        for (let j = 0; j < HIDDEN; j++) gw1[at + j] += x * dHidden[j];
      }
    }
    return lossSum * scale;
  }

  /** Mean loss and accuracy over all of `digits` (no gradients). */
  evaluate(digits: Digits): Score {
    const w1 = this.w1.data, b1 = this.b1.data, w2 = this.w2.data, b2 = this.b2.data;
    const { offsets, index, value, labels } = digits;
    let lossSum = 0;
    let correct = 0;
    for (let row = 0; row < digits.count; row++) {
      lossSum += this.forward(w1, b1, w2, b2, index, value, offsets[row], offsets[row + 1], labels[row]);
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (this.logits[c] > this.logits[best]) best = c;
      if (best === labels[row]) correct++;
    }
    return { loss: lossSum / digits.count, accuracy: correct / digits.count };
  }

  /** Frees the tensors. */
  dispose(): void {
    for (const p of this.params) p.dispose();
  }

  /**
   * One sample through the network: fills `hidden` (after ReLU) and leaves the softmax
   * probabilities in `logits`; returns the cross-entropy for `label`.
   */
  private forward(
    w1: Float32Array, b1: Float32Array, w2: Float32Array, b2: Float32Array,
    index: Uint16Array, value: Float32Array, from: number, to: number, label: number,
  ): number {
    const { hidden, logits } = this;
    for (let j = 0; j < HIDDEN; j++) hidden[j] = b1[j];
    for (let k = from; k < to; k++) {
      const x = value[k];
      const at = index[k] * HIDDEN;
      for (let j = 0; j < HIDDEN; j++) hidden[j] += x * w1[at + j];
    }
    for (let c = 0; c < CLASSES; c++) logits[c] = b2[c];
    for (let j = 0; j < HIDDEN; j++) {
      const h = hidden[j] > 0 ? hidden[j] : 0;
      hidden[j] = h;
      if (h === 0) continue;
      const at = j * CLASSES;
      for (let c = 0; c < CLASSES; c++) logits[c] += h * w2[at + c];
    }
    // Log-sum-exp shifted by the largest logit, so exp never overflows.
    let max = logits[0];
    for (let c = 1; c < CLASSES; c++) if (logits[c] > max) max = logits[c];
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += Math.exp(logits[c] - max);
    const loss = Math.log(sum) + max - logits[label];
    for (let c = 0; c < CLASSES; c++) logits[c] = Math.exp(logits[c] - max) / sum;
    return loss;
  }
}
