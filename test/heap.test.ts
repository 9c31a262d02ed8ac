import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OptimError } from "../src/index.js";
import { createStorage, Heap } from "../src/memory/heap.js";

const MiB = 1 << 20;

describe("Heap", () => {
  it("hands out 16-byte-aligned, zero-filled, non-overlapping blocks", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 64 * MiB }), 64 * MiB);
    const offsets = [1, 3, 4, 5, 17, 0].map((n) => [heap.alloc(n), n] as const);
    for (const [offset, n] of offsets) {
      expect(offset % 16).toBe(0);
      expect(Array.from(heap.f32.subarray(offset >>> 2, (offset >>> 2) + n)).every((v) => v === 0)).toBe(true);
    }
    const spans = offsets.map(([o, n]) => [o, o + Math.max(16, Math.ceil((4 * n) / 16) * 16)]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it("reuses freed blocks, coalesces neighbours and zero-fills reused memory", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 64 * MiB }), 64 * MiB);
    const a = heap.alloc(100), b = heap.alloc(100), c = heap.alloc(100);
    heap.alloc(4); // keeps c's range from returning to the top
    heap.f32.fill(7, a >>> 2, (c >>> 2) + 100);
    heap.free(a);
    heap.free(b);
    heap.free(c);
    // a, b and c coalesced into one range that fits 300 floats at a's offset.
    const d = heap.alloc(300);
    expect(d).toBe(a);
    expect(heap.f32.subarray(d >>> 2, (d >>> 2) + 300).every((v) => v === 0)).toBe(true);
  });

  it("rejects a double free and an unknown offset", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 64 * MiB }), 64 * MiB);
    const a = heap.alloc(10);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(OptimError);
    expect(() => heap.free(12345)).toThrow(/no live block/);
  });

  it("grows on demand and keeps the data", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 256 * MiB }), 256 * MiB);
    const a = heap.alloc(4);
    heap.f32.set([1, 2, 3, 4], a >>> 2);
    const before = heap.byteLength;
    heap.alloc(4 * MiB);
    expect(heap.byteLength).toBeGreaterThan(before);
    expect(Array.from(heap.f32.subarray(a >>> 2, (a >>> 2) + 4))).toEqual([1, 2, 3, 4]);
  });

  it("throws OUT_OF_MEMORY past its limit and stays usable", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 2 * MiB }), 2 * MiB);
    heap.alloc(1000);
    expect(() => heap.alloc(MiB)).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY" }));
    expect(heap.alloc(1000) % 16).toBe(0);
  });

  it("throws OUT_OF_MEMORY past the wasm32 limit of 4 GiB without touching memory", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 4096 * MiB }), 4096 * MiB);
    expect(() => heap.alloc(2 ** 30 + 1)).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY" }));
    expect(heap.byteLength).toBe(65536);
  });

  it("freeAll frees many blocks at once, merging neighbours, and refuses an unknown offset first", () => {
    const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 64 * MiB }), 64 * MiB);
    const blocks = Array.from({ length: 10 }, () => heap.alloc(4));
    const keep = heap.alloc(4);
    expect(() => heap.freeAll([blocks[0], 12345])).toThrow(/no live block/);
    expect(heap.usedBytes).toBe(11 * 16); // nothing was freed
    heap.freeAll([...blocks].reverse());
    expect(heap.usedBytes).toBe(16);
    expect(heap.alloc(40)).toBe(blocks[0]); // one merged range of 160 bytes
    heap.free(keep);
  });

  it("random allocations and frees, in any order, never overlap and give every byte back", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(300), fc.nat()), { maxLength: 300 }), (ops) => {
        const heap = new Heap(createStorage({ initialBytes: 65536, maxBytes: 64 * MiB }), 64 * MiB);
        const live = new Map<number, number>();
        for (const [allocate, floats, pick] of ops) {
          if (allocate || live.size === 0) {
            const offset = heap.alloc(floats);
            const end = offset + Math.max(16, Math.ceil((4 * floats) / 16) * 16);
            for (const [o, e] of live) expect(end <= o || offset >= e).toBe(true);
            live.set(offset, end);
          } else {
            const offset = [...live.keys()][pick % live.size];
            heap.free(offset);
            live.delete(offset);
          }
        }
        heap.freeAll([...live.keys()]);
        expect(heap.usedBytes).toBe(0);
        expect(heap.alloc(1)).toBe(16); // everything coalesced back into the bump pointer
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
