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

/** Free ranges of a size class are scanned this far for a fit before a larger class is taken. */
const CLASS_SCAN = 32;
/** Freed blocks wait in a list until the next allocation, or until there are this many. */
const PENDING_MAX = 1 << 20;
/** A pending free is one float64: offset·2^21 + bytes/16, exact below 2^53 (blocks under 32 MiB). */
const PENDING_SHIFT = 2 ** 21;

/**
 * An offset-addressed arena of 16-byte-aligned float32 blocks. Offsets mean the same on every
 * backend, so a handle is just (offset, length). A free only notes the block (O(1)); the next
 * allocation sorts the noted blocks, merges neighbours and returns them to the free ranges, which
 * are coalesced (maps keyed by start and by end) and kept in power-of-two size classes. So freeing
 * 100,000 blocks in any order costs one sort, and an allocation looks at a few ranges before the
 * heap grows.
 */
export class Heap {
  readonly storage: HeapStorage;
  private readonly maxBytes: number;
  private top = HEAP_BASE;
  private used = 0;
  private readonly live = new Map<number, number>();
  /** Free range start → its bytes; free range end → its start. */
  private readonly freeByStart = new Map<number, number>();
  private readonly freeByEnd = new Map<number, number>();
  /** Free range starts by size class: class k holds ranges of [16·2^k, 16·2^(k+1)) bytes. */
  private readonly classes: Set<number>[] = [];
  /** Blocks freed since the last allocation, encoded as PENDING_SHIFT describes. */
  private readonly pending: number[] = [];
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
    return this.used;
  }

  /** Bytes the live block at `offset` holds (its request rounded up to the alignment), 0 if none. */
  blockBytes(offset: number): number {
    return this.live.get(offset) ?? 0;
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
    if (this.pending.length > 0) this.flush();
    const offset = this.takeFree(bytes) ?? this.bump(bytes);
    this.live.set(offset, bytes);
    this.used += bytes;
    this.view.fill(0, offset >>> 2, (offset + bytes) >>> 2);
    return offset;
  }

  free(offset: number): void {
    const bytes = this.live.get(offset);
    if (bytes === undefined) throw new OptimError("INVALID_ARGUMENT", `no live block at offset ${offset}`);
    this.live.delete(offset);
    this.used -= bytes;
    if (bytes >= ALIGN * PENDING_SHIFT) this.release(offset, bytes);
    else if (this.pending.push(offset * PENDING_SHIFT + bytes / ALIGN) >= PENDING_MAX) this.flush();
  }

  /** Frees many blocks at once (an optimizer packing 100,000 params): all, or none if one is not live. */
  freeAll(offsets: readonly number[]): void {
    for (const offset of offsets) if (!this.live.has(offset)) throw new OptimError("INVALID_ARGUMENT", `no live block at offset ${offset}`);
    for (const offset of offsets) this.free(offset);
  }

  /** Returns the pending frees to the free ranges: sorted by address, neighbours merged first. */
  private flush(): void {
    const sorted = Float64Array.from(this.pending).sort();
    this.pending.length = 0;
    let start = -1;
    let end = -1;
    for (const key of sorted) {
      const offset = Math.floor(key / PENDING_SHIFT);
      const bytes = (key - offset * PENDING_SHIFT) * ALIGN;
      if (offset === end) end += bytes;
      else {
        if (start >= 0) this.release(start, end - start);
        start = offset;
        end = offset + bytes;
      }
    }
    if (start >= 0) this.release(start, end - start);
  }

  private takeFree(bytes: number): number | undefined {
    const first = sizeClass(bytes);
    for (let k = first; k < this.classes.length; k++) {
      const starts = this.classes[k];
      if (starts === undefined) continue;
      let scanned = 0;
      for (const start of starts) {
        const size = this.freeByStart.get(start)!;
        if (size >= bytes) {
          this.removeFree(start, size);
          if (size > bytes) this.addFree(start + bytes, size - bytes);
          return start;
        }
        // Past the first class every range fits; within it, bound the scan.
        if (++scanned === CLASS_SCAN) break;
      }
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

  /** Returns a range to the free ranges, merged with the free ranges on either side. */
  private release(offset: number, bytes: number): void {
    let start = offset;
    let end = offset + bytes;
    const before = this.freeByEnd.get(start);
    if (before !== undefined) {
      this.removeFree(before, start - before);
      start = before;
    }
    const after = this.freeByStart.get(end);
    if (after !== undefined) {
      this.removeFree(end, after);
      end += after;
    }
    // A free range that ends at the top gives its bytes back to the bump pointer.
    if (end === this.top) this.top = start;
    else this.addFree(start, end - start);
  }

  private addFree(start: number, bytes: number): void {
    this.freeByStart.set(start, bytes);
    this.freeByEnd.set(start + bytes, start);
    const k = sizeClass(bytes);
    while (this.classes.length <= k) this.classes.push(new Set());
    this.classes[k].add(start);
  }

  private removeFree(start: number, bytes: number): void {
    this.freeByStart.delete(start);
    this.freeByEnd.delete(start + bytes);
    this.classes[sizeClass(bytes)].delete(start);
  }
}

/** ⌊log2(bytes / 16)⌋: the size class of a range (bytes is a multiple of 16, below 2^36). */
function sizeClass(bytes: number): number {
  return 31 - Math.clz32(bytes / ALIGN);
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
