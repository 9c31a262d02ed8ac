import type { ThreadPool } from "../../src/backend/threads/pool.js";
import type { Threading } from "../../src/backend/threads/threading.js";
import type { Engine } from "../../src/index.js";

/** The engine's worker pool (a private field: only tests reach it, to watch or kill workers). */
export function poolOf(engine: Engine): ThreadPool | null {
  return (engine as unknown as { threading: Threading }).threading.currentPool;
}
