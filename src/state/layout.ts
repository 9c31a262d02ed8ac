// How much state a slot keeps per parameter. Most optimizers keep one number per element; factored
// ones (Adafactor) keep running statistics per row and per column of each matrix; some keep one
// number per tensor. The optimizer allocates and the state format saves exactly these lengths.

/**
 * - "element": one per element of every parameter;
 * - "row" / "column": one per row / column of every parameter of two or more dimensions (the last
 *   two are the matrix, leading ones a batch of matrices, as torch's Adafactor factors them), none
 *   for vectors and scalars;
 * - "unfactored": one per element of every parameter of fewer than two dimensions (what a factored
 *   optimizer keeps instead of rows and columns), none for matrices;
 * - "tensor": one per parameter.
 */
export type SlotLayout = "element" | "row" | "column" | "unfactored" | "tensor";

export const SLOT_LAYOUTS: readonly SlotLayout[] = ["element", "row", "column", "unfactored", "tensor"];

/**
 * How a slot's numbers are stored in the heap and in saved state: float32 (4 bytes), bfloat16
 * (2 bytes, the top half of a float32), or int8 (a one-byte code per number, then a float32 scale
 * per block of 256: src/backend/js/int8.ts); an optimizer's `stateDtype`.
 */
export type SlotDtype = "float32" | "bfloat16" | "int8";

export const SLOT_DTYPES: readonly SlotDtype[] = ["float32", "bfloat16", "int8"];

/** Bytes one number of a slot takes in the heap and in saved state (int8: its code; the scales come on top, `slotBytes`). */
export const BYTES_PER_NUMBER: Readonly<Record<SlotDtype, number>> = { float32: 4, bfloat16: 2, int8: 1 };

/**
 * Bytes a slot of `length` numbers takes in the heap and in saved state: int8 is the codes padded
 * to 16 bytes, then ceil(length / 256) float32 scales.
 */
export function slotBytes(dtype: SlotDtype, length: number): number {
  if (dtype === "int8") return ((length + 15) & ~15) + 4 * Math.ceil(length / 256);
  return BYTES_PER_NUMBER[dtype] * length;
}

/** A state slot: its name (in getState and saved state), layout and storage type. */
export interface SlotDescription {
  readonly name: string;
  readonly layout: SlotLayout;
  readonly dtype: SlotDtype;
}

/** Whether a parameter of this shape is a matrix, or a batch of them, for the factored layouts. */
export function isMatrix(shape: readonly number[]): boolean {
  return shape.length >= 2;
}

/** Whether a slot of `layout` keeps numbers for a parameter of `shape` (it may still be an empty one's). */
export function slotApplies(layout: SlotLayout, shape: readonly number[]): boolean {
  if (layout === "unfactored") return !isMatrix(shape);
  if (layout === "row" || layout === "column") return isMatrix(shape);
  return true;
}

/** The numbers a slot of `layout` keeps for one parameter of `shape`. */
export function slotLength(layout: SlotLayout, shape: readonly number[]): number {
  const matrix = isMatrix(shape);
  switch (layout) {
    case "element":
      return product(shape, -1);
    case "unfactored":
      return matrix ? 0 : product(shape, -1);
    case "row":
      return matrix ? product(shape, shape.length - 1) : 0;
    case "column":
      return matrix ? product(shape, shape.length - 2) : 0;
    case "tensor":
      return 1;
  }
}

/** The product of the dimensions of `shape` except the one at `skip`. */
function product(shape: readonly number[], skip: number): number {
  let size = 1;
  for (let d = 0; d < shape.length; d++) if (d !== skip) size *= shape[d];
  return size;
}
