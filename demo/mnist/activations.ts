import type { Engine } from "../../src/index.js";
import { CLASSES, IMAGE_SIZE } from "./data.js";
import { HIDDEN } from "./weights.js";

/**
 * The MLP's per-batch matrices, in the engine's heap so the GEMM kernels can read and write
 * them: inputs X (rows × 784), hidden H (rows × 128, after ReLU), logits Z (rows × 10, then
 * overwritten by dL/dZ) and dL/dH (rows × 128). Byte offsets; sized for `capacity` rows and
 * reallocated, larger, when a call needs more.
 */
export class Activations {
  capacity = 0;
  x = 0;
  h = 0;
  z = 0;
  dh = 0;

  constructor(private readonly engine: Engine) {}

  /** Room for `rows` rows. Allocation may grow the heap: take views (heap.f32) after this. */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    this.free();
    const heap = this.engine.heap;
    this.x = heap.alloc(rows * IMAGE_SIZE);
    this.h = heap.alloc(rows * HIDDEN);
    this.z = heap.alloc(rows * CLASSES);
    this.dh = heap.alloc(rows * HIDDEN);
    this.capacity = rows;
  }

  free(): void {
    if (this.capacity === 0) return;
    for (const offset of [this.x, this.h, this.z, this.dh]) this.engine.heap.free(offset);
    this.capacity = 0;
  }
}
