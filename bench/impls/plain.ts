// The hand-written plain-JS column: separate Float32Arrays per tensor, as a user would hold them.
import type { Impl, Running, Workload } from "./types.js";
import { fillValues } from "./types.js";

export const plainJs: Impl = {
  id: "plain-js",
  label: "plain JS loop",
  supports: (optimizer) => optimizer.plain !== undefined,
  async start({ optimizer, lengths }: Workload): Promise<Running> {
    const loop = optimizer.plain!;
    const tensors = lengths.map((length, k) => {
      const p = new Float32Array(length), g = new Float32Array(length);
      fillValues(p, 2 * k + 1);
      fillValues(g, 2 * k + 2);
      const state = Array.from({ length: loop.slots }, () => new Float32Array(length).fill(loop.init ?? 0));
      return { p, g, state };
    });
    let t = 0;
    return {
      step() {
        t++;
        for (let k = 0; k < tensors.length; k++) {
          const { p, g, state } = tensors[k];
          loop.update(p, g, state, t);
        }
      },
      dispose() {},
    };
  },
};
