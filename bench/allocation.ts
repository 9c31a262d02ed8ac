// Steady-state allocation report: many Adam steps over 20 tensors of 1K in total on each of our
// backends, with the JS heap and the wasm memory size before and after. (The wasm part is
// asserted by test/no-allocation.test.ts; the JS heap is only reported: V8's heap moves with
// unrelated work, so a byte-exact assertion would be flaky.)
import type { BackendName } from "../src/index.js";
import { sharedEngine, ours } from "./impls/ours.js";
import { OPTIMIZERS } from "./optimizers.js";

export interface AllocationReport {
  backend: BackendName;
  steps: number;
  /** Whether a full GC ran before each heap reading (needs node --expose-gc). */
  gcExposed: boolean;
  jsHeapBefore: number;
  jsHeapAfter: number;
  wasmMemoryBefore: number;
  wasmMemoryAfter: number;
  heapUsedBefore: number;
  heapUsedAfter: number;
}

const collect = (globalThis as { gc?: () => void }).gc;

function jsHeap(): number {
  collect?.();
  return process.memoryUsage().heapUsed;
}

export async function allocationReport(backend: BackendName, steps: number, lengths: number[]): Promise<AllocationReport> {
  const adam = OPTIMIZERS.find((o) => o.id === "adam")!;
  const engine = await sharedEngine();
  const running = await ours(backend).start({ optimizer: adam, lengths, n: lengths.reduce((a, b) => a + b, 0) });
  try {
    running.step(); // the first step creates the state buffers
    const wasmMemoryBefore = engine.heap.byteLength, heapUsedBefore = engine.heap.usedBytes;
    const jsHeapBefore = jsHeap();
    for (let i = 0; i < steps; i++) running.step();
    const jsHeapAfter = jsHeap();
    return {
      backend, steps, gcExposed: collect !== undefined,
      jsHeapBefore, jsHeapAfter,
      wasmMemoryBefore, wasmMemoryAfter: engine.heap.byteLength,
      heapUsedBefore, heapUsedAfter: engine.heap.usedBytes,
    };
  } finally {
    running.dispose();
  }
}
