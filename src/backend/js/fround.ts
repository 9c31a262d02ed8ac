// The plain-JS kernels run the same updates as assembly/, over a Float32Array of the same heap.
// Math.fround after every operation makes each step round exactly as float32 arithmetic does
// (double rounding is harmless for + − × ÷ √ of float32 operands), so the js backend gives the
// wasm backends' results bit for bit. Keep the operation order of the AssemblyScript lane.
export const f = Math.fround;
