import { ARGS_BYTE, CLAIM, DONE, FAILED, NOT_RUN, OK, OP, QUIT, SEQ, STATUS } from "./protocol.js";

/** What a worker is started with (workerData in Node, the first message in a browser). */
export interface WorkerSetup {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  /** Kernel names by id. */
  readonly names: readonly string[];
  readonly reductions: readonly string[];
  /** Byte offset of this worker's command block in the heap. */
  readonly base: number;
  /** Byte offset of the partials area (float64 per reduction block). */
  readonly partials: number;
  readonly blockFloats: number;
  /** Polls of `seq` before the worker sleeps in Atomics.wait. */
  readonly spin: number;
}

/**
 * The worker, as source text: it runs from a string (Node's `eval: true`, a Blob URL in browsers),
 * so it needs no file next to the bundle and works the same from src/ and from dist/. Plain ES2020,
 * no imports: it instantiates the engine's compiled module over the shared memory and serves
 * commands until QUIT.
 */
export const WORKER_SOURCE = `"use strict";
let fns, reduction, i32, f64, seqAt, doneAt, opAt, statusAt, claimAt, argsAt, partialsAt, blockFloats, spin;
function start(data, post) {
  const exports = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports;
  fns = data.names.map((name) => exports[name]);
  reduction = data.names.map((name) => data.reductions.includes(name));
  i32 = new Int32Array(data.memory.buffer);
  f64 = new Float64Array(data.memory.buffer);
  seqAt = (data.base >> 2) + ${SEQ}; doneAt = (data.base >> 2) + ${DONE};
  opAt = (data.base >> 2) + ${OP}; statusAt = (data.base >> 2) + ${STATUS}; claimAt = (data.base >> 2) + ${CLAIM};
  argsAt = (data.base + ${ARGS_BYTE}) >> 3; partialsAt = data.partials >> 3;
  blockFloats = data.blockFloats; spin = data.spin;
  post("ready");
  serve();
}
function serve() {
  // seq starts at 0 in a fresh area: not a load, since a command may already be posted (the
  // caller may act on "ready" before this line runs).
  let seen = 0;
  for (;;) {
    for (let polls = 0; Atomics.load(i32, seqAt) === seen; ) {
      if (++polls > spin) { Atomics.wait(i32, seqAt, seen); polls = 0; }
    }
    seen = Atomics.load(i32, seqAt);
    // The calling thread may have taken this command while we slept: then it is not ours.
    if (Atomics.compareExchange(i32, claimAt, seen - 1, seen) !== seen - 1) continue;
    const op = i32[opAt];
    if (op === ${QUIT}) return;
    let status = ${OK};
    try { status = run(op); } catch (error) { status = ${FAILED}; }
    i32[statusAt] = status;
    Atomics.store(i32, doneAt, seen);
    Atomics.notify(i32, doneAt);
  }
}
function run(op) {
  const fn = fns[op];
  if (typeof fn !== "function") return ${NOT_RUN};
  const a = argsAt;
  if (reduction[op]) {
    const ptr = f64[a], n = f64[a + 1];
    let slot = partialsAt + f64[a + 2];
    for (let at = 0; at < n; at += blockFloats) f64[slot++] = fn(ptr + 4 * at, Math.min(blockFloats, n - at));
    return ${OK};
  }
  // Exactly the export's arity: V8's fast call path needs it.
  switch (fn.length) {
    case 3: fn(f64[a], f64[a + 1], f64[a + 2]); break;
    case 4: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3]); break;
    case 6: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5]); break;
    case 8: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7]); break;
    case 9: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8]); break;
    case 10: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9]); break;
    case 11: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10]); break;
    case 12: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11]); break;
    case 13: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12]); break;
    case 14: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13]); break;
    case 15: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14]); break;
    case 16: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14], f64[a + 15]); break;
    case 19: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14], f64[a + 15], f64[a + 16], f64[a + 17], f64[a + 18]); break;
    default: fn(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7], f64[a + 8], f64[a + 9],
      f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14], f64[a + 15], f64[a + 16], f64[a + 17], f64[a + 18], f64[a + 19]);
  }
  return ${OK};
}
if (typeof require === "function") {
  const threads = require("node:worker_threads");
  start(threads.workerData, (message) => threads.parentPort.postMessage(message));
} else {
  self.onmessage = (event) => { self.onmessage = null; start(event.data, (message) => self.postMessage(message)); self.close(); };
}
`;
