// The official MNIST digits (demo/mnist's reader) as dense TF.js-ready arrays: the first
// `trainLimit` of the 55,000 training digits (the main job's training rows) and the official 10,000
// test digits, labels one-hot.
import { CLASSES, IMAGE_SIZE, loadMnist, rowRange, splitValidation, type Digits } from "../mnist/data.js";

export { CLASSES, IMAGE_SIZE };

export interface Split {
  /** Row-major images, `count × 784`, grey levels in [0, 1]. */
  readonly images: Float32Array;
  /** One-hot labels, `count × 10`. */
  readonly labels: Float32Array;
  readonly count: number;
}

export function loadSplit(trainLimit = Infinity): { train: Split; test: Split } {
  const mnist = loadMnist();
  const { train } = splitValidation(mnist.train);
  return { train: dense(rowRange(train, 0, Math.min(train.count, trainLimit))), test: dense(mnist.test) };
}

function dense(digits: Digits): Split {
  const labels = new Float32Array(digits.count * CLASSES);
  for (let r = 0; r < digits.count; r++) labels[r * CLASSES + digits.labels[r]] = 1;
  return { images: digits.images, labels, count: digits.count };
}
