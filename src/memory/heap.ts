import { OptimError } from "../errors.js";

const PAGE_BYTES = 65536;
/** wasm32 addresses 65,536 pages: 4 GiB. */
export const MAX_PAGES = 65536;
/** Blocks are 16-byte aligned so the SIMD kernels can use aligned v128 loads. */
const ALIGN = 16;
/** Offset 0 stays unused, so no valid block is ever mistaken for a null pointer. */
const HEAP_BASE = ALIGN;

/** Where the heap's bytes live: a WebAssembly.Memory, or an ArrayBuffer without WebAssembly. */
export interface HeapStorage {
  readonly kind: "wasm-shared" | "wasm" | "resizable" | "copying";
  readonly buffer: ArrayBufferLike;
  /** @internal the memory the wasm backends run on, when there is one (kept out of the declarations: consumers need no WebAssembly types) */
  readonly memory: WebAssembly.Memory | null;
  /** Views made before a growth keep reading and writing the live bytes. */
  readonly viewsSurviveGrowth: boolean;
  /** Grows to at least `bytes`; throws a RangeError when it cannot. */
  growTo(bytes: number): void;
}

interface FreeRange {
  offset: number;
  bytes: number;
}

/**
 * An offset-addressed arena of 16-byte-aligned float32 blocks. Offsets mean the same on every
 * backend, so a handle is just (offset, length). Freed blocks are kept in an address-ordered
 * list, coalesced with their neighbours, and reused first-fit before the heap grows.
 */
export class Heap {
  readonly storage: HeapStorage;
  private readonly maxBytes: number;
  private top = HEAP_BASE;
  private readonly freeList: FreeRange[] = [];
  private readonly live = new Map<number, number>();
  private view: Float32Array;

  constructor(storage: HeapStorage, maxBytes: number) {
    this.storage = storage;
    this.maxBytes = maxBytes;
    this.view = new Float32Array(storage.buffer);
  }

  /** The whole heap as floats, re-derived after every growth (index = byteOffset >>> 2). */
  get f32(): Float32Array {
    return this.view;
  }

  /** Bytes handed out and not yet freed. */
  get usedBytes(): number {
    let total = 0;
    for (const bytes of this.live.values()) total += bytes;
    return total;
  }

  get byteLength(): number {
    return this.storage.buffer.byteLength;
  }

  /** Allocates `floats` zero-filled floats and returns the block's byte offset. */
  alloc(floats: number): number {
    if (!Number.isSafeInteger(floats) || floats < 0) {
      throw new OptimError("INVALID_ARGUMENT", `cannot allocate ${floats} floats`);
    }
    const bytes = Math.max(ALIGN, Math.ceil((floats * 4) / ALIGN) * ALIGN);
    const offset = this.takeFree(bytes) ?? this.bump(bytes);
    this.live.set(offset, bytes);
    this.view.fill(0, offset >>> 2, (offset + bytes) >>> 2);
    return offset;
  }

  free(offset: number): void {
    const bytes = this.live.get(offset);
    if (bytes === undefined) throw new OptimError("INVALID_ARGUMENT", `no live block at offset ${offset}`);
    this.live.delete(offset);
    this.release(offset, bytes);
  }

  private takeFree(bytes: number): number | undefined {
    const list = this.freeList;
    for (let i = 0; i < list.length; i++) {
      const range = list[i];
      if (range.bytes < bytes) continue;
      const offset = range.offset;
      if (range.bytes === bytes) list.splice(i, 1);
      else {
        range.offset += bytes;
        range.bytes -= bytes;
      }
      return offset;
    }
    return undefined;
  }

  private bump(bytes: number): number {
    const offset = this.top;
    const end = offset + bytes;
    if (end > this.maxBytes) {
      throw new OptimError(
        "OUT_OF_MEMORY",
        `cannot allocate ${bytes} bytes: the heap would need ${end} bytes, over its limit of ${this.maxBytes}`,
      );
    }
    if (end > this.storage.buffer.byteLength) this.grow(end);
    this.top = end;
    return offset;
  }

  private grow(needed: number): void {
    // Grow geometrically so a run of small allocations does not grow the memory each time.
    const current = this.storage.buffer.byteLength;
    const target = Math.min(this.maxBytes, Math.max(needed, current + (current >>> 1)));
    const rounded = Math.min(this.maxBytes, Math.ceil(target / PAGE_BYTES) * PAGE_BYTES);
    try {
      this.storage.growTo(rounded);
    } catch (cause) {
      throw new OptimError("OUT_OF_MEMORY", `the heap could not grow to ${rounded} bytes (${String(cause)})`);
    }
    this.view = new Float32Array(this.storage.buffer);
  }

  private release(offset: number, bytes: number): void {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].offset < offset) i++;
    list.splice(i, 0, { offset, bytes });
    // Coalesce with the following, then the preceding range.
    if (i + 1 < list.length && offset + bytes === list[i + 1].offset) {
      list[i].bytes += list[i + 1].bytes;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].offset + list[i - 1].bytes === offset) {
      list[i - 1].bytes += list[i].bytes;
      list.splice(i, 1);
      i--;
    }
    // A free range that ends at the top gives its bytes back to the bump pointer.
    const last = list[list.length - 1];
    if (last.offset + last.bytes === this.top) {
      this.top = last.offset;
      list.pop();
    }
  }
}

export interface StorageOptions {
  initialBytes: number;
  maxBytes: number;
  /** Try a shared WebAssembly.Memory first (default true). */
  shared?: boolean;
}

/**
 * The best storage this environment offers: a shared WebAssembly.Memory (growth does not
 * detach views), else an unshared one, else without WebAssembly a resizable ArrayBuffer,
 * else an ArrayBuffer copied on growth.
 */
export function createStorage({ initialBytes, maxBytes, shared: preferShared = true }: StorageOptions): HeapStorage {
  const initial = Math.max(1, Math.ceil(initialBytes / PAGE_BYTES));
  const maximum = Math.max(initial, Math.ceil(maxBytes / PAGE_BYTES));
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (wasm?.Memory) {
    for (const shared of preferShared ? [true, false] : [false]) {
      let memory: WebAssembly.Memory;
      try {
        memory = new wasm.Memory({ initial, maximum, shared } as WebAssembly.MemoryDescriptor);
      } catch {
        continue; // some browsers refuse shared memory outside cross-origin-isolated pages
      }
      // Chromium makes shared memories in pages that are not cross-origin isolated but hides the
      // SharedArrayBuffer global there, so ask the buffer its tag rather than use instanceof.
      if (shared && Object.prototype.toString.call(memory.buffer) !== "[object SharedArrayBuffer]") continue;
      return wasmStorage(memory, shared);
    }
  }
  return arrayBufferStorage(initial * PAGE_BYTES, maximum * PAGE_BYTES);
}

function wasmStorage(memory: WebAssembly.Memory, shared: boolean): HeapStorage {
  return {
    kind: shared ? "wasm-shared" : "wasm",
    memory,
    viewsSurviveGrowth: shared,
    get buffer() {
      return memory.buffer;
    },
    growTo(bytes) {
      const pages = Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES);
      if (pages > 0) memory.grow(pages);
    },
  };
}

function arrayBufferStorage(initialBytes: number, maxBytes: number): HeapStorage {
  type Resizable = ArrayBuffer & { resize(bytes: number): void };
  const Ctor = ArrayBuffer as unknown as new (bytes: number, options?: { maxByteLength: number }) => Resizable;
  try {
    const buffer = new Ctor(initialBytes, { maxByteLength: maxBytes });
    if (typeof buffer.resize === "function") {
      return { kind: "resizable", memory: null, viewsSurviveGrowth: true, buffer, growTo: (bytes) => buffer.resize(bytes) };
    }
  } catch {
    // no resizable ArrayBuffer here, or the maximum could not be reserved
  }
  let buffer = new ArrayBuffer(initialBytes);
  return {
    kind: "copying",
    memory: null,
    viewsSurviveGrowth: false,
    get buffer() {
      return buffer;
    },
    growTo(bytes) {
      const next = new ArrayBuffer(bytes);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next;
    },
  };
}
