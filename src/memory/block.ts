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

  release(): void {
    if (--this.refs === 0) this.heap.free(this.offset);
  }

  /** Frees a block that no user has taken yet (a failed call undoing its allocations). */
  discard(): void {
    this.refs = 0;
    this.heap.free(this.offset);
  }
}
