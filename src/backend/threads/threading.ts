import { OptimError } from "../../errors.js";
import type { Heap } from "../../memory/heap.js";
import type { Backend, Kernels } from "../types.js";
import { blockedReductions } from "./blocks.js";
import { ThreadPool } from "./pool.js";
import { threadsSupported } from "./spawn.js";
import { threadedKernels } from "./threaded.js";

/** The most threads `threads: "auto"` starts (the core count is capped here). */
export const AUTO_MAX_THREADS = 8;
/** The most threads an explicit `threads: n` may ask for. */
export const MAX_THREADS = 64;

export type ThreadsChoice = number | "auto";

/** Throws INVALID_ARGUMENT unless `choice` is "auto" or an integer in [1, MAX_THREADS]. */
export function checkThreads(choice: unknown): asserts choice is ThreadsChoice | undefined {
  if (choice === undefined || choice === "auto") return;
  if (typeof choice !== "number" || !Number.isInteger(choice) || choice < 1 || choice > MAX_THREADS) {
    throw new OptimError("INVALID_ARGUMENT", `threads must be "auto" or an integer in [1, ${MAX_THREADS}], got ${typeof choice === "string" ? JSON.stringify(choice) : String(choice)}`);
  }
}

/** The threads a choice means here: "auto" is the core count, at most AUTO_MAX_THREADS. */
export async function resolveThreads(choice: ThreadsChoice | undefined): Promise<number> {
  return choice === "auto" ? Math.min(await coreCount(), AUTO_MAX_THREADS) : (choice ?? 1);
}

async function coreCount(): Promise<number> {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { versions?: { node?: string } } };
  const cores = g.navigator?.hardwareConcurrency;
  if (typeof cores === "number" && cores >= 1) return cores;
  if (typeof g.process?.versions?.node !== "string") return 1;
  // Node 20 has no navigator; a computed specifier keeps bundlers from resolving node:os.
  const specifier = "node:os";
  const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism?: () => number; cpus: () => unknown[] };
  return os.availableParallelism?.() ?? Math.max(1, os.cpus().length);
}

/**
 * An engine's threads: which kernels each backend gets (blocked reductions always, split over a
 * pool of workers when threads > 1 and a wasm backend runs on a shared memory), the pool's life,
 * and the one coded error when a worker dies.
 */
export class Threading {
  /** Threads asked for (1 when none were). */
  readonly requested: number;
  private readonly explicit: boolean;
  private readonly heap: Heap;
  private readonly onWarning: (message: string) => void;
  private pool: ThreadPool | null = null;
  private warned = false;
  /** Set when a worker died: the engine stays on one thread from then on, across backend swaps too. */
  private lost = false;
  private ended = false;
  /** Backend loads, one after the other: two overlapping setBackend calls must not both start a pool. */
  private queue: Promise<unknown> = Promise.resolve();

  /** `requested` comes from resolveThreads; `explicit` when the user asked for a number over 1 (only then a fallback warns). */
  constructor(heap: Heap, requested: number, explicit: boolean, onWarning: (message: string) => void) {
    this.heap = heap;
    this.onWarning = onWarning;
    this.requested = requested;
    this.explicit = explicit;
  }

  /** The threads a backend of this name runs its kernels on now. */
  threadsFor(backend: Backend["name"]): number {
    return backend !== "js" && this.pool?.usable ? this.pool.workers + 1 : 1;
  }

  /** A backend's kernels on the calling thread, with the reductions in their fixed block order. */
  plain(kernels: Kernels): Kernels {
    return blockedReductions(kernels);
  }

  /**
   * The kernels the engine runs for a freshly loaded backend. A wasm backend (given its compiled
   * module) gets a pool of workers on the same module, started or restarted here.
   */
  wrap(backend: Backend, module?: WebAssembly.Module): Promise<Backend> {
    const wrapped = this.queue.then(() => this.wrapNow(backend, module));
    this.queue = wrapped.catch(() => undefined);
    return wrapped;
  }

  private async wrapNow(backend: Backend, module?: WebAssembly.Module): Promise<Backend> {
    const blocked = this.plain(backend.kernels);
    const memory = this.heap.storage.memory;
    if (this.requested === 1 || this.lost || this.ended || backend.name === "js" || module === undefined || memory === null) {
      return { name: backend.name, kernels: blocked };
    }
    if (this.heap.storage.kind !== "wasm-shared" || !threadsSupported()) {
      this.warnOnce("wasm-optim: threads need a WebAssembly memory shared with workers (in browsers, a cross-origin-isolated page); running on one thread");
      return { name: backend.name, kernels: blocked };
    }
    if (this.pool?.module !== module || !this.pool.usable) {
      this.pool?.dispose();
      this.pool = null;
      let pool: ThreadPool;
      try {
        pool = await ThreadPool.start(this.heap, memory, module, this.requested - 1);
      } catch (error) {
        this.warnOnce(`wasm-optim: worker threads could not start (${String(error)}); running on one thread`);
        return { name: backend.name, kernels: blocked };
      }
      // The engine was disposed while the workers started: end them at once.
      if (this.ended) {
        pool.dispose();
        return { name: backend.name, kernels: blocked };
      }
      this.pool = pool;
    }
    return { name: backend.name, kernels: threadedKernels(backend.kernels, blocked, this.pool) };
  }

  /**
   * Throws WORKER_FAILED once after a worker died, and drops to one thread: the kernels see the
   * pool unusable and run on the calling thread, so the next call proceeds with nothing lost.
   */
  assertHealthy(): void {
    const pool = this.pool;
    if (pool === null || pool.failure === null) return;
    this.pool = null;
    this.lost = true;
    pool.dispose();
    throw new OptimError("WORKER_FAILED", `${pool.failure}; nothing was changed, and the engine continues on one thread`);
  }

  dispose(): void {
    this.ended = true;
    this.pool?.dispose();
    this.pool = null;
  }

  /** @internal tests reach the pool to kill a worker */
  get currentPool(): ThreadPool | null {
    return this.pool;
  }

  private warnOnce(message: string): void {
    if (!this.explicit || this.warned) return;
    this.warned = true;
    this.onWarning(message);
  }
}
