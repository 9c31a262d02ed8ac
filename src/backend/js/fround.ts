// The plain-JS kernels run the same updates as assembly/, over a Float32Array of the same heap.
// Math.fround after every operation makes each step round exactly as float32 arithmetic does
// (double rounding is harmless for + − × ÷ √ of float32 operands), so the js backend gives the
// wasm backends' results bit for bit. Keep the operation order of the AssemblyScript lane.
export const f = Math.fround;

/** The bits every kernel stores for a NaN, whichever NaN arose (assembly/ops/lane.ts, `st`). */
export const NAN_BITS = 0xffffffff;

const views = new WeakMap<ArrayBufferLike, Map<Function, ArrayBufferView>>();

/** A view of the heap's buffer of another element type, made once per buffer and type. */
export function viewOf<T extends ArrayBufferView>(h: Float32Array, View: new (buffer: ArrayBufferLike) => T): T {
  let byType = views.get(h.buffer);
  if (byType === undefined) views.set(h.buffer, (byType = new Map()));
  let view = byType.get(View) as T | undefined;
  if (view === undefined) byType.set(View, (view = new View(h.buffer)));
  return view;
}

/**
 * An integer view of the heap. NaN bits are written through it, not as a double: engines other than
 * V8 may canonicalize a NaN-valued double before it reaches the store.
 */
export function bitsOf(h: Float32Array): Uint32Array {
  return viewOf(h, Uint32Array);
}

/** h[i] ← v as every kernel stores it: rounded to float32, or NAN_BITS for any NaN. */
export function put(h: Float32Array, hb: Uint32Array, i: number, v: number): void {
  if (v === v) h[i] = v;
  else hb[i] = NAN_BITS;
}
