// The threads option, its fallbacks and warnings, backend swaps, a worker that dies, and process exit.
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adam, createEngine, OptimError, type Engine, type Param } from "../src/index.js";
import { AUTO_MAX_THREADS, MAX_THREADS } from "../src/backend/threads/threading.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";
import { poolOf } from "./helpers/threads.js";

const N = 150_001;
const WASM = BACKENDS[0];

function setup(engine: Engine): { p: Param; optimizer: Adam; feed: (t: number) => void } {
  const p = engine.param(uniform(N, 1));
  const optimizer = new Adam([p], { lr: 0.01, amsgrad: true, maxGradNorm: 3 });
  return { p, optimizer, feed: (t) => p.setGrad(uniform(N, 50 + t, -1, 1)) };
}

function snapshot(p: Param, optimizer: Adam): Float32Array[] {
  const state = optimizer.getState(p);
  return [p.data.slice(), ...(["expAvg", "expAvgSq", "maxExpAvgSq"] as const).map((k) => state[k]!.slice())];
}

/** `steps` steps on one thread, the reference for the runs below. */
async function reference(steps: number): Promise<Float32Array[]> {
  const engine = await createEngine({ backend: WASM });
  const { p, optimizer, feed } = setup(engine);
  for (let t = 1; t <= steps; t++) {
    feed(t);
    optimizer.step();
  }
  const result = snapshot(p, optimizer);
  engine.dispose();
  return result;
}

describe("the threads option", () => {
  it.each([0, -1, 1.5, MAX_THREADS + 1, NaN, "4", "all", null, true])("refuses %s with INVALID_ARGUMENT", async (threads) => {
    await expect(createEngine({ threads: threads as number })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", name: "OptimError" });
  });

  it("defaults to one thread; auto is the core count up to AUTO_MAX_THREADS", async () => {
    const plain = await createEngine();
    expect(plain.threads).toBe(1);
    plain.dispose();
    const auto = await createEngine({ threads: "auto", backend: WASM });
    expect(auto.threads).toBe(Math.min(availableParallelism(), AUTO_MAX_THREADS));
    auto.dispose();
  });

  it("runs js on the calling thread, and keeps every bit across wasm-simd ↔ wasm ↔ js swaps", async () => {
    const expected = await reference(6);
    const engine = await createEngine({ backend: WASM, threads: 2 });
    const { p, optimizer, feed } = setup(engine);
    const order = [...BACKENDS, WASM, ...BACKENDS.slice(1).reverse()];
    for (let t = 1; t <= 6; t++) {
      await engine.setBackend(order[t % order.length]);
      expect(engine.threads).toBe(engine.backend === "js" ? 1 : 2);
      feed(t);
      optimizer.step();
    }
    snapshot(p, optimizer).forEach((buffer, i) => expectBitEqual(buffer, expected[i], `buffer ${i}`));
    engine.dispose();
  });

  it("falls back to one thread on an unshared memory, warning once when threads were asked for", async () => {
    const warnings: string[] = [];
    const engine = await createEngine({ backend: WASM, threads: 2, sharedMemory: false, onWarning: (m) => warnings.push(m) });
    expect(engine.threads).toBe(1);
    await engine.setBackend("wasm");
    await engine.setBackend(WASM);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/threads need a WebAssembly memory shared with workers/);
    engine.dispose();
    const quiet: string[] = [];
    const auto = await createEngine({ backend: WASM, threads: "auto", sharedMemory: false, onWarning: (m) => quiet.push(m) });
    expect(auto.threads).toBe(1);
    expect(quiet).toEqual([]);
    auto.dispose();
  });
});

describe("a worker that dies", () => {
  it("gives WORKER_FAILED on the next step, which changes nothing; the engine goes on on one thread with the same bits", async () => {
    const expected = await reference(4);
    const engine = await createEngine({ backend: WASM, threads: 3 });
    const { p, optimizer, feed } = setup(engine);
    for (let t = 1; t <= 2; t++) {
      feed(t);
      optimizer.step();
    }
    const pool = poolOf(engine)!;
    pool.killForTest(1);
    // The death arrives as an event: wait for it as a caller's next step would (any later task).
    for (let i = 0; i < 200 && pool.failure === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.failure).toMatch(/exited/);

    feed(3);
    const before = snapshot(p, optimizer);
    let error: unknown;
    try {
      optimizer.step();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptimError);
    expect((error as OptimError).code).toBe("WORKER_FAILED");
    snapshot(p, optimizer).forEach((buffer, i) => expectBitEqual(buffer, before[i], `buffer ${i} after the refused step`));
    expect(optimizer.getState(p).step).toBe(2);
    expect(engine.threads).toBe(1);

    optimizer.step(); // the same gradient again: step 3
    feed(4);
    optimizer.step();
    snapshot(p, optimizer).forEach((buffer, i) => expectBitEqual(buffer, expected[i], `buffer ${i}`));
    // The other workers were ended with the pool, and a backend swap does not start new ones.
    await pool.closed();
    await engine.setBackend("wasm");
    expect(engine.threads).toBe(1);
    expect(poolOf(engine)).toBeNull();
    engine.dispose();
  });
});

describe("the pool's life", () => {
  it("overlapping backend swaps leave one pool (no workers or command area leaked)", async () => {
    const engine = await createEngine({ backend: WASM, threads: 2 });
    const usedBytes = engine.heap.usedBytes;
    await Promise.all([engine.setBackend("wasm"), engine.setBackend(WASM), engine.setBackend("wasm"), engine.setBackend(WASM)]);
    expect(engine.backend).toBe(WASM);
    expect(engine.threads).toBe(2);
    expect(engine.heap.usedBytes).toBe(usedBytes);
    engine.dispose();
  });

  it("a dispose while workers start ends them", async () => {
    const engine = await createEngine({ backend: "wasm", threads: 2 });
    const swapping = engine.setBackend(WASM === "wasm" ? "js" : WASM);
    engine.dispose();
    await swapping;
    expect(poolOf(engine)).toBeNull();
  });

  it("after a late worker the next 1, 2, 4, … 64 calls stay on the calling thread; an on-time one ends the back-off", async () => {
    const engine = await createEngine({ backend: WASM, threads: 2 });
    const pool = poolOf(engine)!;
    const kept = () => {
      let n = 0;
      while (!pool.shouldSplit()) n++;
      return n;
    };
    expect(kept()).toBe(0);
    const cooldowns = Array.from({ length: 8 }, () => (pool.settled(true), kept()));
    expect(cooldowns).toEqual([1, 2, 4, 8, 16, 32, 64, 64]);
    pool.settled(false);
    expect(kept()).toBe(0);
    pool.settled(true);
    expect(kept()).toBe(1);
    engine.dispose();
  });

  it("2,000 threaded steps leave the wasm memory and the heap's live bytes unchanged", async () => {
    const engine = await createEngine({ backend: WASM, threads: 2 });
    const { p, optimizer, feed } = setup(engine);
    feed(1);
    optimizer.step();
    const memoryBytes = engine.heap.byteLength;
    const liveBytes = engine.heap.usedBytes;
    const before = p.data.slice();
    for (let i = 0; i < 2000; i++) optimizer.step();
    expect(engine.heap.byteLength).toBe(memoryBytes);
    expect(engine.heap.usedBytes).toBe(liveBytes);
    expect(p.data).not.toEqual(before);
    engine.dispose();
  });
});

describe("process exit", () => {
  const child = fileURLToPath(new URL("./fixtures/threads-exit.ts", import.meta.url));
  const run = (arg: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", child, arg], { timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }));
    });

  it("a process whose engines are disposed ends its workers and exits", async () => {
    const result = await run("dispose");
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("stepped, disposed, workers ended");
    expect(result.code).toBe(0);
  });

  it("a process that never disposes its engines still exits (idle workers hold no reference)", async () => {
    const result = await run("keep");
    expect(result.stdout.trim()).toBe("stepped");
    expect(result.code).toBe(0);
  });
});
