import { describe, expect, it } from "vitest";
import { Adam, OptimError, type Optimizer } from "../src/index.js";
import { decodeState } from "../src/state/format.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { rng, uniform } from "./helpers/random.js";
import { expectRejected, fixChecksum, sameBytes } from "./helpers/stateBytes.js";

/** A state worth corrupting: two groups, named params, all three Adam buffers, step options set. */
async function subject() {
  const engine = await engineFor(BACKENDS.at(-1)!);
  const names = ["a", "b", "c"];
  const params = [13, 6, 21].map((n, i) => engine.param(uniform(n, i), { name: names[i] }));
  const opt = new Adam([{ params: params.slice(0, 2), lr: 0.02 }, { params: params.slice(2), amsgrad: true }]);
  opt.maxGradNorm = 1;
  opt.nonFinite = "skip";
  for (let t = 1; t <= 3; t++) {
    params.forEach((p, i) => p.setGrad(uniform(p.length, 10 * t + i)));
    opt.step();
  }
  return { engine, opt, bytes: opt.saveState() };
}

/** Loads `bytes`; either it is refused with nothing changed, or it loads and the optimizer then holds exactly what they describe. */
function loadOrRefuse(opt: Optimizer<any>, bytes: Uint8Array): "refused" | "loaded" {
  const before = opt.saveState();
  try {
    opt.loadState(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(OptimError);
    expect((error as OptimError).code, (error as Error).message).toBe("STATE_INCOMPATIBLE");
    expect(sameBytes(opt.saveState(), before), "the optimizer changed").toBe(true);
    return "refused";
  }
  const loaded = decodeState(opt.saveState());
  const given = decodeState(bytes);
  expect(loaded.header).toEqual(given.header);
  expect(sameBytes(loaded.payload, given.payload), "payload").toBe(true);
  return "loaded";
}

describe("the state loader under corruption", () => {
  it("refuses every truncation, changing nothing", async () => {
    const { engine, opt, bytes } = await subject();
    for (let length = 0; length < bytes.length; length++) expectRejected(opt, bytes.subarray(0, length));
    engine.dispose();
  });

  it("refuses 3000 random byte flips (1 to 4 bytes), changing nothing", async () => {
    const { engine, opt, bytes } = await subject();
    const next = rng(77);
    for (let trial = 0; trial < 3000; trial++) {
      const broken = bytes.slice();
      const flips = 1 + Math.floor(next() * 4);
      for (let k = 0; k < flips; k++) broken[Math.floor(next() * broken.length)] ^= 1 + Math.floor(next() * 255);
      // Two flips may cancel out at the same position; only a changed state must be refused.
      if (broken.every((b, i) => b === bytes[i])) continue;
      expectRejected(opt, broken);
    }
    engine.dispose();
  });

  it("behind a valid checksum, 3000 flips in the preamble and header load consistently or are refused cleanly", async () => {
    const { engine, opt, bytes } = await subject();
    const headerEnd = 20 + new DataView(bytes.buffer).getUint32(16, true);
    const next = rng(78);
    const outcomes = { refused: 0, loaded: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      const broken = bytes.slice();
      const flips = 1 + Math.floor(next() * 3);
      for (let k = 0; k < flips; k++) broken[8 + Math.floor(next() * (headerEnd - 8))] ^= 1 << Math.floor(next() * 8);
      outcomes[loadOrRefuse(opt, fixChecksum(broken))]++;
      opt.loadState(bytes); // back to the original between trials
    }
    // Most flips break the JSON or a name; a few change a digit of a value into another valid one.
    expect(outcomes.refused).toBeGreaterThan(2500);
    expect(outcomes.loaded).toBeGreaterThan(0);
    engine.dispose();
  });

  it("refuses random bytes behind a valid preamble", async () => {
    const { engine, opt, bytes } = await subject();
    const next = rng(79);
    for (let trial = 0; trial < 500; trial++) {
      const length = 24 + Math.floor(next() * 600);
      const junk = new Uint8Array(length).map(() => Math.floor(next() * 256));
      junk.set(bytes.subarray(0, 12));
      new DataView(junk.buffer).setUint32(12, length, true);
      expectRejected(opt, fixChecksum(junk));
    }
    engine.dispose();
  });
});
