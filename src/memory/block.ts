import type { Heap } from "./heap.js";

/**
 * A heap block shared by the parameters packed into it: freed when the last one lets go.
 * An optimizer packs many parameters into one block; disposing one of them must not free
 * the storage of the others.
 */
export class Block {
  private refs: number;

  constructor(
    private readonly heap: Heap,
    readonly offset: number,
    users = 1,
  ) {
    this.refs = users;
  }

  static alloc(heap: Heap, floats: number, users = 1): Block {
    return new Block(heap, heap.alloc(floats), users);
  }

  /** Lets go of the block; the last user frees it, or hands its offset to `freed` for a bulk `Heap.freeAll`. */
  release(freed?: number[]): void {
    if (--this.refs !== 0) return;
    if (freed === undefined) this.heap.free(this.offset);
    else freed.push(this.offset);
  }

  /** Frees a block that no user has taken yet (a failed call undoing its allocations). */
  discard(): void {
    this.refs = 0;
    this.heap.free(this.offset);
  }
}
