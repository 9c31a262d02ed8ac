import { expect } from "vitest";
import { OptimError, type Optimizer } from "../../src/index.js";
import { expectOptimError } from "./errors.js";
import { decodeState, encodeState, type StateHeader } from "../../src/state/format.js";

/** A valid state whose header `edit` has changed (the checksum recomputed): reaches the checks behind the CRC. */
export function rewriteHeader(bytes: Uint8Array, edit: (header: StateHeader & Record<string, any>) => void, payload?: Uint8Array): Uint8Array {
  const decoded = decodeState(bytes);
  const copy = JSON.parse(JSON.stringify(decoded.header));
  edit(copy);
  return encodeState(copy, [payload ?? decoded.payload]);
}

/** Recomputes the trailing CRC-32 of a state whose bytes were edited by hand. */
export function fixChecksum(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4) new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** CRC-32 (IEEE 802.3, reflected, as zlib), bitwise: an implementation independent of the library's. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Asserts that loading `bytes` throws STATE_INCOMPATIBLE (with `message` in it, when given) and
 * leaves the optimizer exactly as it was: everything saveState() captures is unchanged.
 */
export function expectRejected(optimizer: Optimizer<any>, bytes: unknown, message?: string | RegExp): OptimError {
  const before = optimizer.saveState();
  const error = expectOptimError(() => optimizer.loadState(bytes as Uint8Array), "STATE_INCOMPATIBLE");
  if (message !== undefined) expect(error.message).toMatch(message);
  expect(sameBytes(optimizer.saveState(), before), "the optimizer changed").toBe(true);
  return error;
}

/** Byte equality, fast enough for fuzz loops (toEqual walks typed arrays element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
