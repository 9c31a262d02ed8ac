// Item 5 and the crafted-state findings of the hardening issue: NAdam's μ product is saved and
// loads in O(1); absurd step counts and values a buffer can never hold are refused with
// STATE_INCOMPATIBLE, changing nothing; version-1 states (no saved μ product) still load.
import { describe, expect, it } from "vitest";
import { createEngine, NAdam } from "../../src/index.js";
import { MAX_STEPS } from "../../src/state/format.js";
import { slotLength, type SlotLayout } from "../../src/state/layout.js";
import { expectRejected, fixChecksum, rewriteHeader } from "../helpers/stateBytes.js";
import { FAMILIES_ALL_SLOTS, fill } from "./world.js";

/** A state rewritten as format version 1 (no per-group scalars), checksum fixed. */
function asVersion1(bytes: Uint8Array): Uint8Array {
  const v1 = rewriteHeader(bytes, (header) => {
    header.groups.forEach((g) => delete g.scalars);
    // Before version 3 a slot was its name (one float32 per element).
    (header as Record<string, unknown>).slots = header.slots.map((slot) => slot.name);
  });
  new DataView(v1.buffer).setUint32(8, 1, true);
  return fixChecksum(v1);
}

describe("NAdam's μ product is state", () => {
  it("is saved and loaded exactly, at any step count, without replaying the steps", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(5, { name: "p" }), 1);
    const opt = new NAdam([p]);
    for (let i = 0; i < 3; i++) opt.step();
    const saved = rewriteHeader(opt.saveState(), (header) => {
      header.groups[0].step = 1e8;
      header.groups[0].scalars = { muProduct: 0.123456789 };
    });
    opt.dispose();
    const other = new NAdam([p]);
    other.loadState(saved);
    const state = other.getState(p);
    expect(state.step).toBe(1e8);
    expect(state.muProduct).toBe(0.123456789);
    other.step(); // Π_{t+1} = Π_t·μ_{t+1}, from the loaded value
    const mu = 0.9 * (1 - 0.5 * Math.pow(0.96, (1e8 + 1) * 4e-3));
    expect(other.getState(p).muProduct).toBe(0.123456789 * mu);
  });

  it("a μ product outside [0, 1] is refused", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(3, { name: "p" }), 1);
    const opt = new NAdam([p]);
    opt.step();
    for (const value of [2, -1, 1e300, 1.0000001]) {
      expectRejected(opt, rewriteHeader(opt.saveState(), (h) => (h.groups[0].scalars = { muProduct: value })), /muProduct is .*expected a number in \[0, 1\]/);
    }
  });

  it("round-trips: a loaded optimizer steps to the same bits as one that never stopped", async () => {
    const engine = await createEngine();
    const [p, q] = [fill(engine.param(7, { name: "w" }), 2), fill(engine.param(7, { name: "w" }), 2)];
    const a = new NAdam([p], { momentumDecay: 0.3 });
    for (let i = 0; i < 5; i++) a.step();
    const b = new NAdam([q], { momentumDecay: 0.3 });
    b.loadState(a.saveState());
    q.data.set(p.data);
    a.step();
    b.step();
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    expect(b.getState(q).muProduct).toBe(a.getState(p).muProduct);
  });

  it("a version-1 state is rebuilt: exactly over short runs, and in bounded time at 10⁸ steps", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(3, { name: "p" }), 1);
    const opt = new NAdam([p]);
    for (let i = 0; i < 4; i++) opt.step();
    const expected = opt.getState(p).muProduct;
    opt.loadState(asVersion1(opt.saveState()));
    expect(opt.getState(p).muProduct).toBe(expected);
    opt.loadState(asVersion1(rewriteHeader(opt.saveState(), (h) => (h.groups[0].step = 1e8))));
    expect(opt.getState(p).muProduct).toBe(0); // 0.9^(10⁸) underflows
  });
});

describe("crafted states are refused, changing nothing", () => {
  it.each(FAMILIES_ALL_SLOTS)("%s: a step count past MAX_STEPS", async (_, Family, options) => {
    const engine = await createEngine();
    const p = fill(engine.param(5, { name: "p" }), 1);
    const opt = new Family([p], options);
    opt.step();
    for (const step of [MAX_STEPS + 1, 2 ** 53 - 1]) {
      expectRejected(opt, rewriteHeader(opt.saveState(), (h) => (h.groups[0].step = step)), /more steps than any optimizer takes/);
    }
    opt.loadState(rewriteHeader(opt.saveState(), (h) => (h.groups[0].step = MAX_STEPS)));
  });

  it.each(FAMILIES_ALL_SLOTS)("%s: a negative number in a buffer that never holds one; NaN loads (a NaN gradient puts it there)", async (name, Family, options) => {
    const engine = await createEngine();
    const p = fill(engine.param(5, { name: "p" }), 1);
    const opt = new Family([p], options);
    opt.step();
    const bytes = opt.saveState();
    const { header, payloadStart } = locate(bytes);
    const nonNegative = NON_NEGATIVE[name] ?? [];
    // Each present slot's floats follow the previous one's; how many a parameter of 5 has depends on the
    // slot's layout (none per row or column of a vector).
    const layouts = new Map<string, SlotLayout>(header.slots.map((slot: { name: string; layout: SlotLayout }) => [slot.name, slot.layout]));
    let at = 0;
    header.groups[0].slots.forEach((slot: string) => {
      const length = slotLength(layouts.get(slot)!, p.shape);
      for (const bad of length > 2 ? [-1e-3, -Infinity, -1e-45, NaN] : []) {
        const crafted = bytes.slice();
        new DataView(crafted.buffer).setFloat32(payloadStart + 4 * (at + 2), bad, true);
        if (nonNegative.includes(slot) && bad < 0) expectRejected(opt, fixChecksum(crafted), new RegExp(`slot ${slot} holds`));
        else opt.loadState(fixChecksum(crafted)); // signed buffers take any value, and NaN loads everywhere
      }
      at += length;
    });
  });
});

/** The slots each family documents as never negative (second moments, sums, step sizes). */
const NON_NEGATIVE: Record<string, string[]> = {
  Adam: ["expAvgSq", "maxExpAvgSq"],
  AdamW: ["expAvgSq", "maxExpAvgSq"],
  Adagrad: ["sum"],
  RMSprop: ["squareAvg"],
  Adadelta: ["squareAvg", "accDelta"],
  Rprop: ["stepSize"],
  Adamax: ["expInf"],
  NAdam: ["expAvgSq"],
  RAdam: ["expAvgSq"],
  Adafactor: ["rowVar", "colVar", "variance"],
  ScheduleFreeAdamW: ["expAvgSq"],
};

function locate(bytes: Uint8Array): { header: any; payloadStart: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headerLength = view.getUint32(16, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + headerLength)));
  return { header, payloadStart: (20 + headerLength + 3) & ~3 };
}
