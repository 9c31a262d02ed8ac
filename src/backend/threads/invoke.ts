type N = number;
export type Fn = (...args: N[]) => N | void;

/**
 * Calls fn with exactly its own number of arguments. V8 calls a wasm export through its fast
 * wrapper only when the argument count matches the signature; passing all twenty costs ~3 µs a call.
 */
export function invoke(fn: Fn, a0: N, a1: N, a2: N, a3: N, a4: N, a5: N, a6: N, a7: N, a8: N, a9: N, a10: N, a11: N, a12: N, a13: N, a14: N, a15: N, a16: N, a17: N, a18: N, a19: N): N | void {
  return invokeArity(fn.length, fn, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
}

/** `invoke` with the arity known (read once, where the wrapper is made: a wasm export's length is no cheap load). */
export function invokeArity(arity: number, fn: Fn, a0: N, a1: N, a2: N, a3: N, a4: N, a5: N, a6: N, a7: N, a8: N, a9: N, a10: N, a11: N, a12: N, a13: N, a14: N, a15: N, a16: N, a17: N, a18: N, a19: N): N | void {
  switch (arity) {
    case 2: return fn(a0, a1);
    case 3: return fn(a0, a1, a2);
    case 4: return fn(a0, a1, a2, a3);
    case 5: return fn(a0, a1, a2, a3, a4);
    case 6: return fn(a0, a1, a2, a3, a4, a5);
    case 8: return fn(a0, a1, a2, a3, a4, a5, a6, a7);
    case 9: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    case 10: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    case 11: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
    case 12: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    case 13: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
    case 14: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
    case 15: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14);
    case 16: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
    case 19: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18);
    default: return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19);
  }
}
