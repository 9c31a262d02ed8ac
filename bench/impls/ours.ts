// wasm-optim itself, one column per backend. All three share one engine (one heap), as a user
// who swaps backends at runtime would; each workload allocates its parameters and frees them after.
import { createEngine, type BackendName, type Engine } from "../../src/index.js";
import { fillValues, type Impl, type Running, type Workload } from "./types.js";

let shared: Promise<Engine> | undefined;

/** The engine every "ours" column runs on; exposed for the allocation report. */
export function sharedEngine(): Promise<Engine> {
  shared ??= createEngine({ backend: "js" });
  return shared;
}

export function ours(backend: BackendName): Impl {
  return {
    id: backend,
    label: `wasm-optim ${backend}`,
    supports: () => true,
    async start({ optimizer, lengths }: Workload): Promise<Running> {
      const engine = await sharedEngine();
      const name = await engine.setBackend(backend);
      if (name !== backend) throw new Error(`backend ${backend} unavailable (got ${name})`);
      const params = lengths.map((length, k) => {
        const param = engine.param(length);
        fillValues(param.data, 2 * k + 1);
        fillValues(param.grad, 2 * k + 2);
        return param;
      });
      const opt = optimizer.make(params);
      const closure = optimizer.closure;
      return {
        step: () => void opt.step(closure),
        dispose() {
          opt.dispose();
          for (const param of params) param.dispose();
        },
      };
    },
  };
}
