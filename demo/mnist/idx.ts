import { readFileSync } from "node:fs";

/**
 * The IDX format of the original MNIST files (LeCun et al., http://yann.lecun.com/exdb/mnist/):
 * a big-endian uint32 magic number 0x000008NN (0x08 = unsigned bytes, NN = the number of
 * dimensions), NN big-endian uint32 sizes, then the bytes, row-major.
 */
export const IMAGES_MAGIC = 0x00000803;
export const LABELS_MAGIC = 0x00000801;

export type IdxErrorCode = "IDX_UNREADABLE" | "IDX_BAD_MAGIC" | "IDX_TRUNCATED" | "IDX_TRAILING_BYTES" | "IDX_BAD_SHAPE" | "IDX_BAD_LABEL";

/** A file that is not the IDX data we expect; `file` is the path, also named in the message. */
export class IdxError extends Error {
  constructor(
    readonly code: IdxErrorCode,
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail} [${code}]`);
    this.name = "IdxError";
  }
}

/** The sizes and the bytes after the header (a view, not a copy). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Parses IDX bytes whose magic must be `magic`; the whole file must be exactly header + data. */
export function parseIdx(bytes: Uint8Array, file: string, magic: number): IdxArray {
  if (bytes.length < 4) throw new IdxError("IDX_TRUNCATED", file, `${bytes.length} bytes is shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) throw new IdxError("IDX_BAD_MAGIC", file, `magic number 0x${hex(found)}, expected 0x${hex(magic)}`);
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new IdxError("IDX_TRUNCATED", file, `${bytes.length} bytes is shorter than the ${headerBytes}-byte header`);
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new IdxError("IDX_TRUNCATED", file, `${bytes.length} bytes, but the header's sizes [${dims.join(", ")}] need ${expected}`);
  }
  if (bytes.length > expected) {
    throw new IdxError("IDX_TRAILING_BYTES", file, `${bytes.length} bytes, but the header's sizes [${dims.join(", ")}] need only ${expected}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Grey images as unsigned bytes, row-major `rows × cols` each. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
}

export function readIdxImages(file: string): IdxImages {
  const { dims, data } = parseIdx(readBytes(file), file, IMAGES_MAGIC);
  const [count, rows, cols] = dims;
  return { count, rows, cols, pixels: data };
}

/** Class labels, each checked to be below `classes`. */
export function readIdxLabels(file: string, classes: number): Uint8Array {
  const { data } = parseIdx(readBytes(file), file, LABELS_MAGIC);
  const bad = data.findIndex((label) => label >= classes);
  if (bad >= 0) throw new IdxError("IDX_BAD_LABEL", file, `label ${data[bad]} at index ${bad} is not below ${classes}`);
  return data;
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new IdxError("IDX_UNREADABLE", file, `cannot be read (${(cause as Error).message})`);
  }
}

const hex = (x: number) => x.toString(16).padStart(8, "0");
