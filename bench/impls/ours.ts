// wasm-optim itself, one column per backend. All three share one engine (one heap), as a user
// who swaps backends at runtime would; each workload allocates its parameters and frees them after.
import { createEngine, type BackendName, type Engine } from "../../src/index.js";
import { fillValues, type Impl, type Running, type Workload } from "./types.js";

const shared = new Map<number, Promise<Engine>>();

/** The engine every "ours" column with this thread count runs on; exposed for the allocation report. */
export function sharedEngine(threads = 1): Promise<Engine> {
  let engine = shared.get(threads);
  if (!engine) shared.set(threads, (engine = createEngine({ backend: "js", threads })));
  return engine;
}

/** Our backend on `threads` threads (`npm run bench -- --threads 1,2`): ids wasm-simd, wasm-simd-t2, … */
export function ours(backend: BackendName, threads = 1): Impl {
  return {
    id: threads === 1 ? backend : `${backend}-t${threads}`,
    label: threads === 1 ? `wasm-optim ${backend}` : `wasm-optim ${backend} ×${threads} threads`,
    supports: () => true,
    async start({ optimizer, lengths }: Workload): Promise<Running> {
      const engine = await sharedEngine(threads);
      const name = await engine.setBackend(backend);
      if (name !== backend) throw new Error(`backend ${backend} unavailable (got ${name})`);
      if (backend !== "js" && engine.threads !== threads) throw new Error(`${threads} threads unavailable (got ${engine.threads})`);
      const params = lengths.map((length, k) => {
        const param = engine.param(optimizer.shape?.(length) ?? length);
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
