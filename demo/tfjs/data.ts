// The 10,000 MNIST digits of the `mnist` package as dense TF.js-ready arrays, split 8,000 / 2,000
// with a fixed seed (the same split every run, so runs are scored on the same digits).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { permutation, seededRandom } from "../mnist/random.js";

export const IMAGE_SIZE = 28 * 28;
export const CLASSES = 10;
const TEST_COUNT = 2_000;

export interface Split {
  /** Row-major images, `count × 784`, grey levels in [0, 1]. */
  readonly images: Float32Array;
  /** One-hot labels, `count × 10`. */
  readonly labels: Float32Array;
  readonly count: number;
}

/** Reads the package's per-digit JSON files (its own `set()` draws with Math.random). */
export function loadSplit(trainLimit = Infinity): { train: Split; test: Split } {
  const require = createRequire(import.meta.url);
  const images: number[][] = [];
  const digits: number[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const { data } = JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${digit}.json`), "utf8")) as { data: number[] };
    for (let at = 0; at < data.length; at += IMAGE_SIZE) {
      images.push(data.slice(at, at + IMAGE_SIZE));
      digits.push(digit);
    }
  }
  const order = permutation(images.length, seededRandom(20_240_501));
  const pick = (rows: ArrayLike<number>): Split => {
    const out = { images: new Float32Array(rows.length * IMAGE_SIZE), labels: new Float32Array(rows.length * CLASSES), count: rows.length };
    for (let r = 0; r < rows.length; r++) {
      out.images.set(images[rows[r]], r * IMAGE_SIZE);
      out.labels[r * CLASSES + digits[rows[r]]] = 1;
    }
    return out;
  };
  const trainRows = order.subarray(TEST_COUNT);
  return { train: pick(trainRows.subarray(0, Math.min(trainRows.length, trainLimit))), test: pick(order.subarray(0, TEST_COUNT)) };
}
