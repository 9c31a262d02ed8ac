import { createJsKernels } from "./backend/js/index.js";
import { hasWasmSimd, wasmApi } from "./backend/detect.js";
import { BACKEND_NAMES, type Backend, type BackendName, type Kernels } from "./backend/types.js";
import { checkThreads, resolveThreads, Threading } from "./backend/threads/threading.js";
import { createWasmBackend } from "./backend/wasm.js";
import { describe, OptimError } from "./errors.js";
import { createStorage, Heap, MAX_PAGES } from "./memory/heap.js";
import { Param, type ParamOptions, type ParamSize } from "./param.js";

export type BackendChoice = BackendName | "auto";

export interface EngineOptions {
  /** "auto" (default) takes the fastest that works here: wasm-simd, then wasm, then js. */
  backend?: BackendChoice;
  /** Heap bytes to reserve up front (default 1 MiB); the heap grows on demand. */
  initialBytes?: number;
  /** The most the heap may grow to (default and ceiling: 4 GiB, the wasm32 limit). */
  maxBytes?: number;
  /**
   * Use a shared WebAssembly.Memory where the environment allows it (default true): its growth
   * does not detach existing views. false forces an unshared memory.
   */
  sharedMemory?: boolean;
  /** Receives the one warning given when WebAssembly fails and a slower backend is used. */
  onWarning?: (message: string) => void;
  /**
   * Threads that share each step on the wasm backends (default 1): a number, or "auto" for the
   * core count up to 8. Needs a shared memory (Node, or a cross-origin-isolated page); elsewhere
   * the engine runs on one thread. See README, Threads.
   */
  threads?: number | "auto";
}

const MAX_BYTES = MAX_PAGES * 65536;

/**
 * Owns the heap that every parameter, gradient and optimizer state lives in, and the backend
 * that runs the kernels over it. Create one with `createEngine()`.
 */
export class Engine {
  /** @internal the arena behind every handle; kept out of the declarations, which would otherwise need WebAssembly types */
  readonly heap: Heap;
  private backendImpl: Backend;
  private readonly onWarning: (message: string) => void;
  private readonly threading: Threading;
  private swapToken = 0;
  private isDisposed = false;

  private constructor(heap: Heap, threading: Threading, onWarning: (message: string) => void) {
    this.heap = heap;
    this.threading = threading;
    this.backendImpl = { name: "js", kernels: threading.plain(createJsKernels(heap)) };
    this.onWarning = onWarning;
  }

  /** @internal use createEngine */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    checkOptions(options, ENGINE_OPTION_KEYS, "createEngine");
    const choice = options.backend ?? "auto";
    checkBackendChoice(choice);
    const maxBytes = options.maxBytes ?? MAX_BYTES;
    const initialBytes = options.initialBytes ?? 1 << 20;
    if (!(maxBytes > 0 && maxBytes <= MAX_BYTES)) {
      throw new OptimError("INVALID_ARGUMENT", `maxBytes must be in (0, ${MAX_BYTES}], got ${maxBytes}`);
    }
    if (!(initialBytes >= 0 && initialBytes <= maxBytes)) {
      throw new OptimError("INVALID_ARGUMENT", `initialBytes must be in [0, maxBytes], got ${initialBytes}`);
    }
    if (options.sharedMemory !== undefined && typeof options.sharedMemory !== "boolean") {
      throw new OptimError("INVALID_ARGUMENT", `sharedMemory must be true or false, got ${String(options.sharedMemory)}`);
    }
    checkThreads(options.threads);
    const threads = await resolveThreads(options.threads);
    const heap = new Heap(createStorage({ initialBytes, maxBytes, shared: options.sharedMemory ?? true }), maxBytes);
    const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
    const threading = new Threading(heap, threads, typeof options.threads === "number" && options.threads > 1, onWarning);
    const engine = new Engine(heap, threading, onWarning);
    await engine.setBackend(choice);
    return engine;
  }

  /** The backend running the kernels now. */
  get backend(): BackendName {
    return this.backendImpl.name;
  }

  /**
   * The threads the kernels run on now: 1 on the js backend, and 1 where threads cannot run
   * (see EngineOptions.threads) or after a worker died.
   */
  get threads(): number {
    return this.threading.threadsFor(this.backendImpl.name);
  }

  /**
   * @internal The most threads a kernel call may ever split over: the engine's request when its
   * memory can be shared with workers, else 1. Each needs its own int8 scratch.
   */
  get maxSplit(): number {
    return this.heap.storage.kind === "wasm-shared" ? this.threading.requested : 1;
  }

  /**
   * @internal the current backend's kernels, looked up on every step. Throws WORKER_FAILED once
   * after a worker thread died (before the caller has changed anything); the engine then runs on one thread.
   */
  get kernels(): Kernels {
    this.threading.assertHealthy();
    return this.backendImpl.kernels;
  }

  /** Whether `data`/`grad` views taken before the heap grows stay live (shared or resizable memory). */
  get viewsSurviveGrowth(): boolean {
    return this.heap.storage.viewsSurviveGrowth;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * Switches backend at runtime. Every backend runs on the same heap, so parameters, gradients
   * and optimizer state stay where they are: nothing is copied and every handle stays valid.
   * "auto" picks the fastest available. Rejects with BACKEND_UNAVAILABLE (and keeps the current
   * backend) when the named one cannot run here.
   */
  async setBackend(choice: BackendChoice): Promise<BackendName> {
    this.assertLive();
    checkBackendChoice(choice);
    const token = ++this.swapToken;
    const backend = choice === "auto" ? await this.bestBackend() : await this.loadBackend(choice);
    // A later setBackend call that finished first wins; this stale one is dropped.
    if (token === this.swapToken && !this.isDisposed) this.backendImpl = backend;
    return this.backendImpl.name;
  }

  /** Which backends can run in this environment (without compiling anything). */
  availableBackends(): BackendName[] {
    const wasm = wasmApi() !== undefined && this.heap.storage.memory !== null;
    return BACKEND_NAMES.filter((name) => name === "js" || (wasm && (name === "wasm" || hasWasmSimd())));
  }

  /**
   * A new parameter, zero-filled: `param(128)`, `param([784, 128])`, or from initial values
   * `param(new Float32Array([...]), { shape: [2, 3] })`.
   */
  param(init: ParamSize | Float32Array | Float64Array, options: ParamOptions = {}): Param {
    this.assertLive();
    checkOptions(options, PARAM_OPTION_KEYS, "param");
    const values = init instanceof Float32Array || init instanceof Float64Array ? init : undefined;
    if (values === undefined && typeof init !== "number" && !Array.isArray(init)) {
      throw new OptimError("INVALID_ARGUMENT", `param: expected a length, a shape, or a Float32Array or Float64Array of initial values, got ${describe(init)}`);
    }
    if (values === undefined && options.shape !== undefined) {
      throw new OptimError("INVALID_ARGUMENT", "param: the shape option goes with initial values; pass the shape as the first argument");
    }
    const shape = values ? (options.shape ?? [values.length]) : typeof init === "number" ? [init] : (init as readonly number[]);
    checkShape(shape);
    const length = shape.reduce((a, b) => a * b, 1);
    if (values && values.length !== length) {
      throw new OptimError("SHAPE_MISMATCH", `initial values have length ${values.length}, shape [${shape.join(", ")}] needs ${length}`);
    }
    if (options.name !== undefined && typeof options.name !== "string") {
      throw new OptimError("INVALID_ARGUMENT", `a parameter name must be a string, got ${typeof options.name}`);
    }
    // Values that are a view of this heap would be detached by the allocation's growth (unshared memory): copy them first.
    const source = values !== undefined && values.buffer === this.heap.f32.buffer ? values.slice() : values;
    const param = new Param(this, shape, options.name);
    if (source) param.data.set(source);
    return param;
  }

  /** Marks the engine disposed: its parameters and optimizers refuse every call after (DISPOSED). */
  dispose(): void {
    this.isDisposed = true;
    this.threading.dispose();
  }

  /** @internal */
  assertLive(): void {
    if (this.isDisposed) throw new OptimError("DISPOSED", "the engine has been disposed");
  }

  private async bestBackend(): Promise<Backend> {
    let failure: string | undefined;
    for (const name of this.availableBackends()) {
      try {
        const backend = await this.loadBackend(name);
        if (failure) this.onWarning(`wasm-optim: ${failure}; using the ${name} backend instead`);
        return backend;
      } catch (error) {
        // A Content-Security-Policy without 'wasm-unsafe-eval' makes compile throw: fall through.
        failure ??= `the ${name} backend failed to start (${String(error)})`;
      }
    }
    return this.loadBackend("js");
  }

  private async loadBackend(name: BackendName): Promise<Backend> {
    if (name === "js") return this.threading.wrap({ name, kernels: createJsKernels(this.heap) });
    const memory = this.heap.storage.memory;
    if (!memory) throw new OptimError("BACKEND_UNAVAILABLE", `${name} needs WebAssembly, which is not available here`);
    try {
      const backend = await createWasmBackend(name === "wasm-simd", memory, this.heap.storage.kind === "wasm-shared");
      return await this.threading.wrap(backend, backend.module);
    } catch (error) {
      if (error instanceof OptimError) throw error;
      throw new OptimError("BACKEND_UNAVAILABLE", `${name} could not start: ${String(error)}`);
    }
  }
}

/** Creates an engine; see EngineOptions. */
export function createEngine(options?: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}

function checkBackendChoice(choice: unknown): asserts choice is BackendChoice {
  if (choice !== "auto" && !BACKEND_NAMES.includes(choice as BackendName)) {
    throw new OptimError("INVALID_ARGUMENT", `unknown backend ${JSON.stringify(choice)}; expected auto, ${BACKEND_NAMES.join(", ")}`);
  }
}

const ENGINE_OPTION_KEYS = ["backend", "initialBytes", "maxBytes", "sharedMemory", "onWarning", "threads"];
const PARAM_OPTION_KEYS = ["name", "shape"];
/** The most floats one parameter can have: a 4 GiB heap. */
const MAX_PARAM_LENGTH = 2 ** 30;

/** Options must be a plain object with known own keys only (an inherited `toString` is not an option). */
function checkOptions(options: unknown, known: readonly string[], owner: string): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new OptimError("INVALID_ARGUMENT", `${owner}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new OptimError("INVALID_ARGUMENT", `${owner}: unknown option ${JSON.stringify(key)}; expected one of ${known.join(", ")}`);
  }
}

function checkShape(shape: readonly number[]): void {
  // An index loop, not every(): every() skips the holes of a sparse array such as [, 3].
  let dense = Array.isArray(shape);
  for (let i = 0; dense && i < shape.length; i++) dense = Object.hasOwn(shape, i) && Number.isSafeInteger(shape[i]) && shape[i] >= 0;
  if (!dense) throw new OptimError("INVALID_ARGUMENT", `a shape must be a list of non-negative integers, got ${describeShape(shape)}`);
  const length = shape.reduce((a, b) => a * b, 1);
  if (length > MAX_PARAM_LENGTH) throw new OptimError("OUT_OF_MEMORY", `shape [${shape.join(", ")}] has ${length} elements, more than a 4 GiB heap holds`);
}

function describeShape(shape: unknown): string {
  if (!Array.isArray(shape)) return describe(shape);
  return `[${Array.from({ length: shape.length }, (_, i) => (Object.hasOwn(shape, i) ? String(shape[i]) : "<hole>")).join(", ")}]`;
}
