import { OptimError } from "../../errors.js";
import type { Kernels } from "../types.js";
import { REDUCE_BLOCK } from "./blocks.js";
import { invoke, invokeArity, type Fn } from "./invoke.js";
import type { ThreadPool } from "./pool.js";
import { FAILED, NOT_RUN, ROUND_BLOCKS } from "./protocol.js";
import { CALLER_KERNELS, KERNEL_GRAIN, KERNEL_MOVES, KERNEL_NAMES, KERNEL_OFFSETS, REDUCTIONS, type KernelName, type Move } from "./signatures.js";

/**
 * Below this many floats per thread a kernel call stays on the calling thread. Measured here: a
 * post-and-wait round trip to a polling worker takes ~0.7 µs and Adam runs ~1.5G floats/s in cache,
 * so 16K floats (~11 µs) keep the overhead under 10%. Waking a sleeping worker costs more (tens of µs);
 * the threshold was not tuned on free cores (see README, Threads).
 */
export const MIN_FLOATS_PER_THREAD = 16384;

type N = number;

/**
 * Kernels that split each call over the pool's workers and the calling thread. An element-wise call
 * is cut into chunks of a multiple of 4 numbers (16-byte-aligned offsets; 256 for int8 state, its
 * blocks), each the same kernel over [offset moved to the chunk's start, count] for every offset
 * argument (KERNEL_OFFSETS, KERNEL_MOVES), so results are bit-identical for any thread count. A reduction
 * computes the fixed blocks of blocks.ts, each thread writing its blocks' partials into the heap,
 * combined in block order on the calling thread. `blocked` must be blockedReductions of `raw`.
 */
export function threadedKernels(raw: Kernels, blocked: Kernels, pool: ThreadPool): Kernels {
  const kernels = {} as Record<KernelName | (typeof CALLER_KERNELS)[number], Fn>;
  for (const name of CALLER_KERNELS) kernels[name] = raw[name] as unknown as Fn;
  KERNEL_NAMES.forEach((name, id) => {
    const rawFn = raw[name] as Fn;
    if ((REDUCTIONS as readonly string[]).includes(name)) {
      kernels[name] = reduction(id, rawFn, blocked[name] as Fn, name === "sumSquares", pool);
    } else {
      kernels[name] = elementwise(id, KERNEL_OFFSETS[name], KERNEL_MOVES[name], KERNEL_GRAIN[name], rawFn, pool);
    }
  });
  return kernels as unknown as Kernels;
}

/** How many threads (calling thread included) n floats are worth, at most the pool's. */
function worth(pool: ThreadPool, n: number): number {
  return Math.max(1, Math.min(pool.workers + 1, Math.floor(n / MIN_FLOATS_PER_THREAD)));
}

/** How many threads share this call: 1 when the pool is unusable or backing off (pool.shouldSplit). */
function partsFor(pool: ThreadPool, n: number): number {
  const parts = pool.usable ? worth(pool, n) : 1;
  return parts > 1 && pool.shouldSplit() ? parts : 1;
}

/** Argument i of chunk number `index` starting at number `start`: offsets move (KERNEL_MOVES), n becomes `count`, scalars stay. */
function arg(i: number, value: N, moves: readonly Move[], start: number, index: number, count: number): N {
  if (i < moves.length) return value + moves[i][0] * start + moves[i][1] * index;
  return i === moves.length ? count : value;
}

// Twenty named parameters (MAX_ARGS) rather than a rest array: a kernel call allocates nothing.
function elementwise(id: number, offsets: number, moves: readonly Move[], grain: number, rawFn: Fn, pool: ThreadPool): Fn {
  const arity = rawFn.length;
  return function (a0: N, a1: N, a2: N, a3: N, a4: N, a5: N, a6: N, a7: N, a8: N, a9: N, a10: N, a11: N, a12: N, a13: N, a14: N, a15: N, a16: N, a17: N, a18: N, a19: N) {
    const n = offsets === 1 ? a1 : offsets === 2 ? a2 : offsets === 3 ? a3 : offsets === 4 ? a4 : offsets === 5 ? a5
      : offsets === 6 ? a6 : offsets === 7 ? a7 : offsets === 8 ? a8 : a9;
    // Below two threads' worth the call never splits: no pool state is read (the small steps' path).
    const parts = n < 2 * MIN_FLOATS_PER_THREAD ? 1 : partsFor(pool, n);
    if (parts === 1) return invokeArity(arity, rawFn, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
    const chunk = Math.ceil(Math.ceil(n / parts) / grain) * grain;
    const workers = Math.min(parts - 1, Math.floor(n / chunk));
    for (let w = 0; w < workers; w++) {
      const f = pool.f64, at = pool.argsAt(w), s = w * chunk;
      f[at] = arg(0, a0, moves, s, w, chunk); f[at + 1] = arg(1, a1, moves, s, w, chunk);
      f[at + 2] = arg(2, a2, moves, s, w, chunk); f[at + 3] = arg(3, a3, moves, s, w, chunk);
      f[at + 4] = arg(4, a4, moves, s, w, chunk); f[at + 5] = arg(5, a5, moves, s, w, chunk);
      f[at + 6] = arg(6, a6, moves, s, w, chunk); f[at + 7] = arg(7, a7, moves, s, w, chunk);
      f[at + 8] = arg(8, a8, moves, s, w, chunk); f[at + 9] = arg(9, a9, moves, s, w, chunk);
      f[at + 10] = a10; f[at + 11] = a11; f[at + 12] = a12; f[at + 13] = a13; f[at + 14] = a14;
      f[at + 15] = a15; f[at + 16] = a16; f[at + 17] = a17; f[at + 18] = a18; f[at + 19] = a19;
      pool.post(w, id);
    }
    // The calling thread takes the last chunk (the shortest: it carries the remainder).
    const s = workers * chunk, c = n - s, w = workers;
    invokeArity(arity, rawFn, arg(0, a0, moves, s, w, c), arg(1, a1, moves, s, w, c), arg(2, a2, moves, s, w, c),
      arg(3, a3, moves, s, w, c), arg(4, a4, moves, s, w, c), arg(5, a5, moves, s, w, c), arg(6, a6, moves, s, w, c),
      arg(7, a7, moves, s, w, c), arg(8, a8, moves, s, w, c), arg(9, a9, moves, s, w, c),
      a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
    let late = false;
    for (let w = 0; w < workers; w++) late = settle(pool, w, rawFn) || late;
    pool.settled(late);
  };
}

function reduction(id: number, rawFn: Fn, blockedFn: Fn, sum: boolean, pool: ThreadPool): Fn {
  return function (ptr: N, n: N) {
    const blocks = Math.ceil(n / REDUCE_BLOCK);
    const parts = blocks <= 1 ? 1 : partsFor(pool, n);
    if (parts === 1) return blockedFn(ptr, n);
    let acc = 0, late = false;
    for (let first = 0; first < blocks; first += ROUND_BLOCKS) {
      const count = Math.min(ROUND_BLOCKS, blocks - first);
      const roundPtr = ptr + 4 * REDUCE_BLOCK * first;
      const roundN = Math.min(n - REDUCE_BLOCK * first, REDUCE_BLOCK * count);
      const per = Math.ceil(count / Math.min(parts, worth(pool, roundN), count));
      const workers = Math.ceil(count / per) - 1;
      for (let w = 0; w < workers; w++) {
        const f = pool.f64, at = pool.argsAt(w);
        f[at] = roundPtr + 4 * REDUCE_BLOCK * w * per;
        f[at + 1] = Math.min(roundN - REDUCE_BLOCK * w * per, REDUCE_BLOCK * per);
        f[at + 2] = w * per;
        pool.post(w, id);
      }
      const f = pool.f64;
      for (let b = workers * per; b < count; b++) {
        f[pool.partialsAt + b] = rawFn(roundPtr + 4 * REDUCE_BLOCK * b, Math.min(REDUCE_BLOCK, roundN - REDUCE_BLOCK * b)) as number;
      }
      for (let w = 0; w < workers; w++) late = settle(pool, w, rawFn, true) || late;
      // Block order, whatever thread computed each partial: the result does not depend on the thread count.
      for (let b = 0; b < count; b++) acc = sum ? acc + f[pool.partialsAt + b] : Math.max(acc, f[pool.partialsAt + b]);
    }
    pool.settled(late);
    return acc;
  };
}

/**
 * Completes worker w's share: runs it here if the worker has not started it (it may not have been
 * scheduled yet; returns true: the worker was late), else waits for it; a share the worker could
 * not run is run here too.
 */
function settle(pool: ThreadPool, w: number, rawFn: Fn, isReduction = false): boolean {
  if (pool.reclaim(w)) {
    runHere(pool, w, rawFn, isReduction);
    return true;
  }
  const status = pool.wait(w);
  if (status === NOT_RUN) {
    runHere(pool, w, rawFn, isReduction);
    // Reported after this call returns: a step that looks up the kernels again while it commits
    // (a slot's fill) must not meet WORKER_FAILED half-way.
    queueMicrotask(() => (pool.failure ??= `worker ${w} could not run a kernel`));
  } else if (status === FAILED) {
    pool.failure ??= `worker ${w} failed inside a kernel`;
    throw new OptimError("WORKER_FAILED", `a worker thread failed inside a kernel call: ${pool.failure}`);
  }
  return false;
}

function runHere(pool: ThreadPool, w: number, rawFn: Fn, isReduction: boolean): void {
  const f = pool.f64, at = pool.argsAt(w);
  if (isReduction) {
    const ptr = f[at], n = f[at + 1];
    let slot = pool.partialsAt + f[at + 2];
    for (let s = 0; s < n; s += REDUCE_BLOCK) f[slot++] = rawFn(ptr + 4 * s, Math.min(REDUCE_BLOCK, n - s)) as number;
    return;
  }
  invoke(rawFn, f[at], f[at + 1], f[at + 2], f[at + 3], f[at + 4], f[at + 5], f[at + 6], f[at + 7],
    f[at + 8], f[at + 9], f[at + 10], f[at + 11], f[at + 12], f[at + 13], f[at + 14], f[at + 15],
    f[at + 16], f[at + 17], f[at + 18], f[at + 19]);
}
