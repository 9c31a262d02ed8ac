// A companion's saved buffer is float32; a crafted state that declares it bfloat16 (format v4) must be
// refused with nothing changed, not read 4 bytes a number out of a 2-byte-a-number payload.
import { describe, expect, it } from "vitest";
import { EMA, SGD, createEngine } from "../../src/index.js";
import { expectOptimError } from "../helpers/errors.js";
import { rewriteHeader, sameBytes } from "../helpers/stateBytes.js";

describe("companion state storage type", () => {
  it("EMA refuses an average saved as bfloat16, changing nothing", async () => {
    const engine = await createEngine({ backend: "js" });
    const p = engine.param(new Float32Array([1, 2, 3, 4]), { name: "w" });
    const ema = new EMA(new SGD([p], { lr: 0.1 }));
    const before = ema.saveState();
    // Four bfloat16 2.0s: a valid v4 payload for a bfloat16 slot of four numbers.
    const crafted = rewriteHeader(before, (h) => {
      (h.slots[0] as { dtype: string }).dtype = "bfloat16";
    }, new Uint8Array([0, 0x40, 0, 0x40, 0, 0x40, 0, 0x40]));
    expectOptimError(() => ema.loadState(crafted), "STATE_INCOMPATIBLE");
    expect(sameBytes(ema.saveState(), before)).toBe(true);
    engine.dispose();
  });
});
