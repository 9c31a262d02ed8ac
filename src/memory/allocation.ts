import { Block } from "./block.js";
import type { Heap } from "./heap.js";

/** Takes heap blocks for one call; see `allocating`. */
export type Take = (floats: number, users?: number) => Block;

/**
 * The one way a call allocates: `body` takes every block the call needs (and does nothing else
 * that can be seen); if it throws, every block it took is freed before the error goes on. Callers
 * validate first, allocate through this, then commit with writes that cannot fail — so a call that
 * throws has changed nothing and leaked nothing.
 */
export function allocating<T>(heap: Heap, body: (take: Take) => T): T {
  const taken: Block[] = [];
  try {
    return body((floats, users = 1) => {
      const block = Block.alloc(heap, floats, users);
      taken.push(block);
      return block;
    });
  } catch (error) {
    for (const block of taken) block.discard();
    throw error;
  }
}
