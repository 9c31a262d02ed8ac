import type { Heap } from "../../memory/heap.js";
import { ARGS_BYTE, CLAIM, DONE, OP, QUIT, ROUND_BLOCKS, SEQ, STATUS, STRIDE_BYTES } from "./protocol.js";
import { REDUCE_BLOCK } from "./blocks.js";
import { KERNEL_NAMES, REDUCTIONS } from "./signatures.js";
import { spawnWorker, type WorkerHandle } from "./spawn.js";

/**
 * Polls of the command word before a worker sleeps in Atomics.wait (~7 ns a poll once optimized:
 * about 0.15 ms). The kernel calls of one step follow each other within microseconds and waking a
 * sleeping worker costs tens of them; a longer spin only steals a loaded machine's cores.
 */
const WORKER_SPIN = 20_000;
/** Polls of a worker's done word before the calling thread sleeps, where it may (browsers' main thread spins). */
const CALLER_SPIN = 20_000;
/** The most kernel calls kept on the calling thread after workers were late (see backOff). */
const MAX_COOLDOWN = 64;

/**
 * Worker threads serving kernel calls over the engine's shared memory. Each worker has a command
 * block in the heap; the calling thread posts with Atomics.store + notify and waits on `done`, so a
 * dispatch sends no message and allocates nothing.
 */
export class ThreadPool {
  readonly module: WebAssembly.Module;
  /** Set once when a worker dies or fails; the pool is then never used again. */
  failure: string | null = null;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** float64 index of the partials area. */
  readonly partialsAt: number;
  private readonly heap: Heap;
  private readonly area: number;
  private readonly handles: WorkerHandle[] = [];
  private readonly seqs: number[];
  private readonly canBlock: boolean;
  private ended = false;
  /** Calls still to keep on the calling thread, and the length of the last such cooldown. */
  private skip = 0;
  private cooldown = 0;
  /**
   * Test hook: who runs the workers' shares. "race" (the real thing): whoever claims first;
   * "workers": the caller never takes one back; "caller": the caller takes every one (workers stay idle).
   */
  sharesForTest: "race" | "workers" | "caller" = "race";

  private constructor(heap: Heap, memory: WebAssembly.Memory, module: WebAssembly.Module, workers: number) {
    this.heap = heap;
    this.module = module;
    this.area = heap.alloc((workers * STRIDE_BYTES + ROUND_BLOCKS * 8) / 4);
    // A shared buffer never detaches, and the area was allocated before these views: they stay valid.
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.partialsAt = (this.area + workers * STRIDE_BYTES) >> 3;
    this.seqs = new Array<number>(workers).fill(0);
    this.canBlock = canBlock(this.i32, this.area >> 2);
  }

  /** Starts `workers` threads on `module`; rejects (leaving nothing allocated or running) if any fails to start. */
  static async start(heap: Heap, memory: WebAssembly.Memory, module: WebAssembly.Module, workers: number): Promise<ThreadPool> {
    const pool = new ThreadPool(heap, memory, module, workers);
    const started = await Promise.allSettled(Array.from({ length: workers }, (_, w) => spawnWorker({
      memory, module, names: KERNEL_NAMES, reductions: REDUCTIONS,
      base: pool.base(w), partials: pool.partialsAt * 8, blockFloats: REDUCE_BLOCK, spin: WORKER_SPIN,
    }, (reason) => (pool.failure ??= reason))));
    for (const result of started) if (result.status === "fulfilled") pool.handles.push(result.value);
    const refused = started.find((result) => result.status === "rejected");
    if (refused) {
      pool.dispose();
      throw refused.reason;
    }
    return pool;
  }

  get workers(): number {
    return this.seqs.length;
  }

  /** Whether commands may be posted: started, not disposed, no worker lost. */
  get usable(): boolean {
    return !this.ended && this.failure === null;
  }

  /**
   * Whether to split the next call. After a call whose worker had not started its share in time
   * (the OS gave it no core, or it was asleep and the share was short), the next 1, 2, 4, … 64 calls
   * stay on the calling thread: a worker that keeps polling on a saturated machine only takes CPU
   * from the calling thread, and idle workers stop polling and sleep.
   */
  shouldSplit(): boolean {
    if (this.skip === 0) return true;
    this.skip--;
    return false;
  }

  /** Reports how the last split call went: `late` when the caller had to take back a share. */
  settled(late: boolean): void {
    if (this.sharesForTest !== "race") return;
    this.cooldown = late ? Math.min(MAX_COOLDOWN, this.cooldown * 2 || 1) : 0;
    this.skip = this.cooldown;
  }

  /** float64 index of worker w's arguments. */
  argsAt(w: number): number {
    return (this.base(w) + ARGS_BYTE) >> 3;
  }

  /** Posts kernel `op` (its arguments already written at argsAt(w)) to worker w. */
  post(w: number, op: number): void {
    const at = this.base(w) >> 2;
    this.i32[at + OP] = op;
    const seq = ++this.seqs[w];
    // Claimed before it is posted: the worker sees a command that is already taken.
    if (this.sharesForTest === "caller" && op !== QUIT) Atomics.store(this.i32, at + CLAIM, seq);
    Atomics.store(this.i32, at + SEQ, seq);
    Atomics.notify(this.i32, at + SEQ, 1);
  }

  /**
   * Takes worker w's last command back if the worker has not started it: true means the caller
   * must run it (its arguments are still at argsAt(w)); false, that the worker has it (then wait).
   */
  reclaim(w: number): boolean {
    if (this.sharesForTest !== "race") return this.sharesForTest === "caller";
    const seq = this.seqs[w];
    return Atomics.compareExchange(this.i32, (this.base(w) >> 2) + CLAIM, seq - 1, seq) === seq - 1;
  }

  /** Waits for worker w's last command, which the worker claimed, and returns its status (OK, NOT_RUN or FAILED). */
  wait(w: number): number {
    const at = this.base(w) >> 2;
    const seq = this.seqs[w];
    for (let polls = 0; Atomics.load(this.i32, at + DONE) !== seq; polls++) {
      if (polls > CALLER_SPIN && this.canBlock) {
        Atomics.wait(this.i32, at + DONE, seq - 1, 100);
        polls = 0;
      }
    }
    return this.i32[at + STATUS];
  }

  /** Ends every worker and frees the command area. */
  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    for (let w = 0; w < this.handles.length; w++) {
      // QUIT lets a worker leave its loop cleanly (if it claims it); terminate makes sure it is gone.
      this.post(w, QUIT);
      this.handles[w].terminate();
    }
    this.heap.free(this.area);
  }

  /** Settles when every worker thread has ended. */
  closed(): Promise<void> {
    return Promise.all(this.handles.map((handle) => handle.exited)).then(() => undefined);
  }

  /** Test hook: ends worker w as if it had crashed (its failure is reported as a worker death). */
  killForTest(w: number): void {
    this.handles[w].kill();
  }

  private base(w: number): number {
    return this.area + w * STRIDE_BYTES;
  }
}

/** Whether this thread may sleep in Atomics.wait (a browser's main thread may not: it spins). */
function canBlock(i32: Int32Array, index: number): boolean {
  try {
    Atomics.wait(i32, index, 1, 0); // the word is 0: returns "not-equal" at once where waiting is allowed
    return true;
  } catch {
    return false;
  }
}
