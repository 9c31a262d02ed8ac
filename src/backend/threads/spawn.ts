import { WORKER_SOURCE, type WorkerSetup } from "./worker-source.js";

/** A started worker: ready to serve commands. */
export interface WorkerHandle {
  /** Ends the worker; it reports no failure after this. */
  terminate(): void;
  /** Test hook: ends the worker as a crash would, so its death is reported through onFailure. */
  kill(): void;
  /** Settles when the thread has ended (in browsers, which report no exit: when terminated). */
  readonly exited: Promise<void>;
}

/** Whether this environment can run kernels on other threads over a shared memory. */
export function threadsSupported(): boolean {
  if (isNode()) return true;
  // Posting a shared memory to a Web Worker needs a cross-origin-isolated page.
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean };
  return typeof g.Worker === "function" && g.crossOriginIsolated === true;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/**
 * Starts one worker and resolves once it has instantiated the kernels. `onFailure` is called at
 * most once if the worker later dies (exit, uncaught error) without being terminated by us.
 */
export function spawnWorker(setup: WorkerSetup, onFailure: (reason: string) => void): Promise<WorkerHandle> {
  return isNode() ? spawnNode(setup, onFailure) : spawnBrowser(setup, onFailure);
}

interface NodeWorker {
  on(event: "message" | "error" | "exit", listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

async function spawnNode(setup: WorkerSetup, onFailure: (reason: string) => void): Promise<WorkerHandle> {
  // A computed specifier keeps bundlers from pulling node:worker_threads into browser builds.
  const specifier = "node:worker_threads";
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (source: string, options: object) => NodeWorker };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: setup });
  let ended = false;
  const exited = new Promise<void>((resolve) => worker.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let ready = false;
    const fail = (reason: string) => {
      if (ended) return;
      ended = true;
      if (ready) onFailure(reason);
      else reject(new Error(reason));
    };
    worker.on("message", (message) => {
      if (message !== "ready" || ready) return;
      ready = true;
      // The calling thread dispatches synchronously: a worker needs no event-loop reference, and
      // an engine that was never disposed must not keep the process alive.
      worker.unref();
      resolve({
        terminate() {
          ended = true;
          void worker.terminate();
        },
        kill() {
          void worker.terminate();
        },
        exited,
      });
    });
    worker.on("error", (error) => fail(`a worker thread threw: ${String(error)}`));
    worker.on("exit", (code) => fail(`a worker thread exited (code ${String(code)})`));
  });
}

interface BrowserWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

function spawnBrowser(setup: WorkerSetup, onFailure: (reason: string) => void): Promise<WorkerHandle> {
  const g = globalThis as unknown as { Worker: new (url: string) => BrowserWorker; URL: typeof URL; Blob: typeof Blob };
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return new Promise((resolve, reject) => {
    let worker: BrowserWorker;
    try {
      worker = new g.Worker(url); // a CSP without blob: in worker-src throws here or fires onerror
    } catch (error) {
      g.URL.revokeObjectURL(url);
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let ready = false;
    let ended = false;
    let markExited = () => {};
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    worker.onerror = (event) => {
      if (ended) return;
      ended = true;
      const reason = `a worker failed: ${event.message ?? "error"}`;
      if (ready) onFailure(reason);
      else reject(new Error(reason));
    };
    worker.onmessage = (event) => {
      if (event.data !== "ready" || ready) return;
      ready = true;
      g.URL.revokeObjectURL(url);
      resolve({
        terminate() {
          ended = true;
          worker.terminate();
          markExited();
        },
        kill() {
          // A browser reports no exit: report the death as the error event would.
          worker.terminate();
          markExited();
          worker.onerror?.({ message: "terminated" });
        },
        exited,
      });
    };
    worker.postMessage(setup);
  });
}
