// The engine adapters use unless given one. One heap for every adapter of the page or process, made
// once: TF.js's fromConfig (model loading) is synchronous, so it can only use an engine that exists.
import { createEngine, OptimError, type Engine } from "../index.js";

let pending: Promise<Engine> | null = null;
let ready: Engine | null = null;

/** The shared engine (backend "auto"), created on first call. */
export function tfjsEngine(): Promise<Engine> {
  if (ready?.disposed) ready = pending = null;
  pending ??= createEngine().then((engine) => (ready = engine));
  return pending;
}

/** The shared engine if it exists, for synchronous callers. */
export function tfjsEngineSync(): Engine {
  if (ready === null || ready.disposed) {
    throw new OptimError("BACKEND_UNAVAILABLE", "no wasm-optim engine is ready yet: `await tfjsEngine()` (or create any adapter with `await tfjsOptimizer(...)`) before loading a model saved with this optimizer");
  }
  return ready;
}
