import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mnistDataDir, readDigits } from "../demo/mnist/data.js";
import { IdxError, parseIdx, IMAGES_MAGIC, LABELS_MAGIC } from "../demo/mnist/idx.js";

const dir = mkdtempSync(join(tmpdir(), "idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const original = (name: string) => join(mnistDataDir(), name);
/** Writes bytes to a temporary file and returns its path. */
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The IdxError that `read` throws: its code and message. */
function idxError(read: () => unknown): IdxError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(IdxError);
    return error as IdxError;
  }
  throw new Error("expected an IdxError, nothing was thrown");
}

describe("the IDX reader", () => {
  it("reads the official test files: 10,000 digits, labels 7 2 1 0 4 first, grey levels in [0, 1]", () => {
    const test = readDigits(original("t10k-images-idx3-ubyte"), original("t10k-labels-idx1-ubyte"));
    expect(test.count).toBe(10_000);
    expect(test.images.length).toBe(10_000 * 784);
    // The first test labels of MNIST as every loader prints them (e.g. torchvision's MNIST(train=False)).
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(test.images.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it("names the file and says IDX_TRUNCATED for a truncated copy of an official file", () => {
    const images = readFileSync(original("t10k-images-idx3-ubyte"));
    const cut = file("t10k-images-truncated", images.subarray(0, 16 + 784 * 100 + 17));
    const error = idxError(() => readDigits(cut, original("t10k-labels-idx1-ubyte")));
    expect(error.code).toBe("IDX_TRUNCATED");
    expect(error.file).toBe(cut);
    expect(error.message).toContain(cut);
    // Cut inside the header: still truncated, not a garbage size.
    expect(idxError(() => parseIdx(images.subarray(0, 10), "x", IMAGES_MAGIC)).code).toBe("IDX_TRUNCATED");
    expect(idxError(() => parseIdx(images.subarray(0, 2), "x", IMAGES_MAGIC)).code).toBe("IDX_TRUNCATED");
  });

  it("rejects a wrong magic number, trailing bytes, a count mismatch, a wrong shape, a label over 9, a missing file", () => {
    const labels = readFileSync(original("t10k-labels-idx1-ubyte"));
    const labelsPath = original("t10k-labels-idx1-ubyte");
    // A labels file where images are expected (0x801 ≠ 0x803).
    const swapped = idxError(() => readDigits(labelsPath, labelsPath));
    expect([swapped.code, swapped.file]).toEqual(["IDX_BAD_MAGIC", labelsPath]);
    expect(swapped.message).toMatch(/0x00000801, expected 0x00000803/);
    expect(idxError(() => parseIdx(Buffer.concat([labels, Buffer.from([0])]), "x", LABELS_MAGIC)).code).toBe("IDX_TRAILING_BYTES");

    const header = (magic: number, ...dims: number[]) => {
      const bytes = Buffer.alloc(4 + 4 * dims.length);
      bytes.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => bytes.writeUInt32BE(d, 4 + 4 * i));
      return bytes;
    };
    const twoImages = file("two-images", Buffer.concat([header(IMAGES_MAGIC, 2, 28, 28), Buffer.alloc(2 * 784, 255)]));
    const threeLabels = file("three-labels", Buffer.concat([header(LABELS_MAGIC, 3), Buffer.from([1, 2, 3])]));
    expect(idxError(() => readDigits(twoImages, threeLabels)).code).toBe("IDX_BAD_SHAPE");
    const wide = file("wide-images", Buffer.concat([header(IMAGES_MAGIC, 1, 28, 29), Buffer.alloc(28 * 29)]));
    expect(idxError(() => readDigits(wide, threeLabels)).code).toBe("IDX_BAD_SHAPE");
    const badLabel = file("bad-label", Buffer.concat([header(LABELS_MAGIC, 2), Buffer.from([3, 10])]));
    expect(idxError(() => readDigits(twoImages, badLabel)).code).toBe("IDX_BAD_LABEL");
    expect(idxError(() => readDigits(join(dir, "missing"), badLabel)).code).toBe("IDX_UNREADABLE");
    // And the well-formed pair reads: 255 becomes exactly 1.
    const twoLabels = file("two-labels", Buffer.concat([header(LABELS_MAGIC, 2), Buffer.from([3, 9])]));
    const two = readDigits(twoImages, twoLabels);
    expect([two.count, two.images[0], two.images[2 * 784 - 1], ...two.labels]).toEqual([2, 1, 1, 3, 9]);
  });
});
