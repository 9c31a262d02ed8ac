import { CLASSES, IMAGE_SIZE } from "./data.js";
import { seededRandom } from "./random.js";

export const HIDDEN = 128;

/** Initial values of the four tensors, shared by every optimizer's run. */
export interface MlpWeights {
  /** [784, 128], input-major (the transpose of torch's nn.Linear layout): X·W1 is a plain row-major product. */
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
