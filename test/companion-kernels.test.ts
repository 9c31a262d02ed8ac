// The companions' kernels (swap, lerpAverage, lerpStash, lookahead) on every backend: identical bits for
// every pair of special values, canonical NaNs, and float64 references for ordinary values.
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";

const SPECIALS = [0, -0, 1, -1, 1e-45, -1e-45, 1.1754942e-38, 3e38, -3e38, Infinity, -Infinity, NaN, 0.1, -7.5];
/** A NaN with a payload no kernel produces: a copy that keeps bits keeps it, arithmetic makes it canonical. */
const ODD_NAN_BITS = 0x7fa00001;

/** Every (a, x) pair of specials, plus an odd NaN in each, padded to 4·k + 3 elements (SIMD body and tail). */
function pairs(): { a: Float32Array; x: Float32Array } {
  const a: number[] = [], x: number[] = [];
  for (const u of SPECIALS) for (const v of SPECIALS) { a.push(u); x.push(v); }
  while (a.length % 4 !== 3) { a.push(0.25); x.push(-0.5); }
  const out = { a: Float32Array.from(a), x: Float32Array.from(x) };
  new Uint32Array(out.a.buffer)[5] = ODD_NAN_BITS;
  new Uint32Array(out.x.buffer)[9] = ODD_NAN_BITS;
  return out;
}

/** Runs `call` with blocks holding `inputs` on one backend and returns the blocks after. */
async function run(backend: (typeof BACKENDS)[number], inputs: Float32Array[], call: (engine: Engine, offsets: number[], n: number) => void): Promise<Float32Array[]> {
  const engine = await engineFor(backend);
  const params = inputs.map((values) => engine.param(values));
  call(engine, params.map((p) => p.dataOffset), inputs[0].length);
  const out = params.map((p) => p.data.slice());
  engine.dispose();
  return out;
}

function expectCanonicalNaNs(values: Float32Array, what: string): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) expect(bits[i] >>> 0, `${what}[${i}]`).toBe(0xffffffff);
}

const CALLS: { name: string; canonical: boolean[]; call: (engine: Engine, o: number[], n: number) => void }[] = [
  { name: "lerpAverage w=1 (copy)", canonical: [true, false], call: (e, o, n) => e.kernels.lerpAverage(o[0], o[1], n, 1) },
  { name: "lerpAverage w=0.25", canonical: [true, false], call: (e, o, n) => e.kernels.lerpAverage(o[0], o[1], n, 0.25) },
  { name: "lerpAverage w=1e-3", canonical: [true, false], call: (e, o, n) => e.kernels.lerpAverage(o[0], o[1], n, 1e-3) },
  { name: "lerpAverage w=1/3", canonical: [true, false], call: (e, o, n) => e.kernels.lerpAverage(o[0], o[1], n, 1 / 3) },
  { name: "lerpStash w=1/3", canonical: [false, true, false], call: (e, o, n) => e.kernels.lerpStash(o[0], o[1], o[2], n, 1 / 3) },
  { name: "lerpStash w=1", canonical: [false, true, false], call: (e, o, n) => e.kernels.lerpStash(o[0], o[1], o[2], n, 1) },
  { name: "lookahead α=0.5", canonical: [true, true], call: (e, o, n) => e.kernels.lookahead(o[0], o[1], n, 0.5) },
  { name: "lookahead α=0.3", canonical: [true, true], call: (e, o, n) => e.kernels.lookahead(o[0], o[1], n, 0.3) },
  { name: "swap", canonical: [false, false], call: (e, o, n) => e.kernels.swap(o[0], o[1], n) },
];

describe("companion kernels on special values", () => {
  for (const { name, canonical, call } of CALLS) {
    it(`${name}: identical bits on every backend, every stored NaN canonical`, async () => {
      const { a, x } = pairs();
      const inputs = canonical.length === 3 ? [a, x, new Float32Array(a.length)] : [a, x];
      const results = await Promise.all(BACKENDS.map((backend) => run(backend, inputs, call)));
      for (const result of results.slice(1)) result.forEach((block, j) => expectBitEqual(block, results[0][j], `${name} block ${j}`));
      results[0].forEach((block, j) => {
        if (canonical[j]) expectCanonicalNaNs(block, `${name} block ${j}`);
      });
    });
  }

  it("swap and lerpStash's stash keep every bit (an odd NaN payload too)", async () => {
    const { a, x } = pairs();
    for (const backend of BACKENDS) {
      const [a2, x2] = await run(backend, [a, x], (e, o, n) => e.kernels.swap(o[0], o[1], n));
      expectBitEqual(a2, x, "a after swap");
      expectBitEqual(x2, a, "x after swap");
      const [, , stash] = await run(backend, [a, x, new Float32Array(a.length)], (e, o, n) => e.kernels.lerpStash(o[0], o[1], o[2], n, 0.5));
      expectBitEqual(stash, x, "stash");
    }
  });
});

describe("companion kernels against float64", () => {
  for (const backend of BACKENDS) {
    it.each([0, 1, 3, 4, 5, 17, 1025])(`${backend} n=%i`, async (n) => {
      const a = uniform(n, 1 + n), x = uniform(n, 2 + n, -3, 3);
      const w = 0.3;
      const [lerped] = await run(backend, [a, x], (e, o, m) => e.kernels.lerpAverage(o[0], o[1], m, w));
      const [copied] = await run(backend, [a, x], (e, o, m) => e.kernels.lerpAverage(o[0], o[1], m, 1));
      const [acc, mean, stash] = await run(backend, [a, x, new Float32Array(n)], (e, o, m) => e.kernels.lerpStash(o[0], o[1], o[2], m, w));
      const [slow, fast] = await run(backend, [a, x], (e, o, m) => e.kernels.lookahead(o[0], o[1], m, w));
      const expected = Float64Array.from(a, (ai, i) => ai + (x[i] - ai) * w);
      expectClose(lerped, expected, 2e-7, 1e-7, "lerpAverage");
      expectBitEqual(copied, x, "lerpAverage w=1");
      expectBitEqual(acc, a, "lerpStash leaves the accumulator");
      expectClose(mean, expected, 2e-7, 1e-7, "lerpStash mean");
      expectBitEqual(stash, x, "lerpStash stash");
      expectClose(slow, expected, 2e-7, 1e-7, "lookahead slow");
      expectBitEqual(fast, slow, "lookahead fast = slow");
    });
  }
});
