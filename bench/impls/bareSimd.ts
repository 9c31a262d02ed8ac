// The ceiling column: a bare f32x4 Adam loop in wasm (bench/wasm/source.ts) with no library
// around it (no param groups, no checks, no tail), called once per tensor.
import { referenceModule, type ReferenceModule } from "../wasm/module.js";
import { fillValues, type Impl, type Running, type Workload } from "./types.js";

let module: Promise<ReferenceModule> | undefined;

export const bareSimd: Impl = {
  id: "bare-f32x4",
  label: "bare f32x4 loop",
  describe: () => "hand-written AssemblyScript f32x4 Adam loop, compiled at bench time",
  supports: (optimizer) => optimizer.bareSimd === true,
  async start({ lengths }: Workload): Promise<Running> {
    module ??= referenceModule();
    const ref = await module;
    ref.reset();
    const tensors = lengths.map((length, k) => {
      const padded = Math.ceil(length / 4) * 4;
      const [p, g, m, v] = [ref.alloc(padded), ref.alloc(padded), ref.alloc(padded), ref.alloc(padded)];
      const f32 = new Float32Array(ref.memory.buffer);
      f32.fill(0, m >>> 2, (m >>> 2) + 2 * padded); // m and v are adjacent
      fillValues(f32.subarray(p >>> 2, (p >>> 2) + padded), 2 * k + 1);
      fillValues(f32.subarray(g >>> 2, (g >>> 2) + padded), 2 * k + 2);
      return { p, g, m, v, n: padded };
    });
    const { adamBare } = ref.loops;
    let t = 0;
    return {
      step() {
        t++;
        const bc1 = 1 - 0.9 ** t, sqrtBc2 = Math.sqrt(1 - 0.999 ** t);
        const stepSize = (1e-3 * sqrtBc2) / bc1, epsHat = 1e-8 * sqrtBc2;
        for (let k = 0; k < tensors.length; k++) {
          const x = tensors[k];
          adamBare(x.p, x.g, x.m, x.v, x.n, 0.9, 0.999, stepSize, epsHat);
        }
      },
      dispose() {},
    };
  },
};
