// The library's own CRC-32 (it replaced the crc-32 package): the standard check value, agreement
// with zlib's, and a state saved by a build that still used crc-32 loads unchanged.
import { crc32 as zlibCrc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adam, createEngine } from "../src/index.js";
import { crc32 } from "../src/state/crc32.js";

/** Adam, lr 0.1, params w = [0.5, -1.25, 2] and b = [0.125], two steps; saved by commit b533ee0 (crc-32 1.2.2). */
const SAVED_BEFORE =
  "V09QVFNUQVQBAAAAtAEAAHwBAAB7ImtpbmQiOiJBZGFtIiwic2xvdHMiOlsiZXhwQXZnIiwiZXhwQXZnU3EiLCJtYXhFeHBBdmdTcSJdLCJzZXR0aW5ncyI6eyJtYXhHcmFkTm9ybSI6bnVsbCwiZ3JhZE5vcm1UeXBlIjoyLCJub25GaW5pdGUiOiJwcm9jZWVkIiwic2tpcHBlZFN0ZXBzIjowfSwiZ3JvdXBzIjpbeyJoeXBlciI6eyJsciI6MC4xLCJiZXRhMSI6MC45LCJiZXRhMiI6MC45OTksImVwcyI6MWUtOCwiZXBzSGF0IjpmYWxzZSwid2VpZ2h0RGVjYXkiOjAsImFtc2dyYWQiOmZhbHNlLCJtYXhpbWl6ZSI6ZmFsc2V9LCJzdGVwIjoyLCJwYXJhbXMiOlt7Im5hbWUiOiJ3Iiwic2hhcGUiOlszXX0seyJuYW1lIjoiYiIsInNoYXBlIjpbMV19XSwic2xvdHMiOlsiZXhwQXZnIiwiZXhwQXZnU3EiXX1dfeF6lD1cj8K9XI9CPuF6FL+nzqM5qAEDOqgBAzunzqM8M19Oig==";

describe("crc32", () => {
  it("gives the standard check value: crc32(\"123456789\") = 0xcbf43926 (CRC-32/ISO-HDLC)", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("agrees with zlib on any bytes, including views that start inside their buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(crc32(view)).toBe(zlibCrc32(view));
      }),
      { numRuns: 500 },
    );
  });

  it("loads a state saved while the checksum came from the crc-32 package", async () => {
    const engine = await createEngine({ backend: "js" });
    const w = engine.param(new Float32Array([0.5, -1.25, 2]), { name: "w" });
    const b = engine.param(new Float32Array([0.125]), { name: "b" });
    const opt = new Adam([w, b], { lr: 0.1 });
    opt.loadState(new Uint8Array(Buffer.from(SAVED_BEFORE, "base64")));
    const state = opt.getState(w);
    expect(state.step).toBe(2);
    // The first moment after gradients 0.25·t, -0.5, 1 at t = 1, 2 (β1 = 0.9), rounded to float32.
    expect(state.expAvg).toEqual(new Float32Array([0.0725, -0.095, 0.19]));
  });
});
