// Arithmetic over one "lane": a v128 (four f32) in the SIMD body, an f32 in the scalar tail.
// Each kernel writes its update once, generic over the lane type, so the SIMD body and
// the scalar tail run the same operations in the same order and round identically.
// The type test is resolved at compile time: no branch survives in the binary.

@inline export function ld<T>(ptr: usize): T {
  if (isVector<T>()) return <T>v128.load(ptr);
  return <T>load<f32>(ptr);
}

/**
 * x with any NaN replaced by 0xFFFFFFFF (all bits set), the one NaN the kernels store. Which NaN
 * an operation returns is not portable (wasm's min/max; a JIT commuting a + b with two NaN
 * operands), so every stored NaN is made this one: x | (x != x), an integer or in the scalar
 * tail (a select there made binaryen merge the flag-specialised loops). The js backend writes
 * the same bits (src/backend/js/fround.ts, `put`).
 */
@inline export function canonical<T>(x: T): T {
  if (isVector<T>()) return <T>v128.or(<v128>x, f32x4.ne(<v128>x, <v128>x));
  return <T>reinterpret<f32>(reinterpret<u32>(<f32>x) | -<u32>(<f32>x != <f32>x));
}

/**
 * Stores a lane: canonically in the scalar tail, as is in the SIMD body, whose kernel makes the
 * NaNs canonical afterwards. Each SIMD lane returns a value that is NaN wherever one of its stores
 * is (the new parameter when every output reaches it through arithmetic, which propagates NaN;
 * else a sum of the outputs); the driver `watch`es it, and a body that `sawNaN` rewrites its
 * outputs with `canonicalizeNaN`. That costs one add per vector; canonical() on every store cost
 * two instructions per store (Adam's body in V8 on x64: 60 → 72 machine instructions per 8 floats;
 * with the watch, 64).
 */
@inline export function st<T>(ptr: usize, value: T): void {
  if (isVector<T>()) v128.store(ptr, <v128>value);
  else store<f32>(ptr, <f32>canonical<T>(value));
}

/** Accumulates a lane's watch value: NaN stays NaN (∞ − ∞ also gives one: a harmless false alarm). */
@inline export function watch(sum: v128, x: v128): v128 {
  return f32x4.add(sum, x);
}

/** Whether the watch sums saw a NaN. */
@inline export function sawNaN(a: v128, b: v128): bool {
  const s = f32x4.add(a, b);
  return v128.any_true(f32x4.ne(s, s));
}

/** Rewrites every NaN among the first n floats at ptr (n a multiple of 4) as the canonical one. */
export function canonicalizeNaN(ptr: usize, n: i32): void {
  for (let i = 0; i + 4 <= n; i += 4) {
    const at = ptr + (<usize>i << 2);
    v128.store(at, canonical<v128>(v128.load(at)));
  }
}

@inline export function splat<T>(x: f32): T {
  if (isVector<T>()) return <T>f32x4.splat(x);
  return <T>x;
}

@inline export function add<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.add(<v128>a, <v128>b);
  return <T>(<f32>a + <f32>b);
}

@inline export function sub<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.sub(<v128>a, <v128>b);
  return <T>(<f32>a - <f32>b);
}

@inline export function mul<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.mul(<v128>a, <v128>b);
  return <T>(<f32>a * <f32>b);
}

@inline export function div<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.div(<v128>a, <v128>b);
  return <T>(<f32>a / <f32>b);
}

@inline export function sqrt<T>(a: T): T {
  if (isVector<T>()) return <T>f32x4.sqrt(<v128>a);
  return <T>Mathf.sqrt(<f32>a);
}

@inline export function max<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.max(<v128>a, <v128>b);
  return <T>Mathf.max(<f32>a, <f32>b);
}

@inline export function min<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.min(<v128>a, <v128>b);
  return <T>Mathf.min(<f32>a, <f32>b);
}

/** Lane-wise `a > b ? ifTrue : ifFalse` (false for NaN), without a branch in the SIMD body. */
@inline export function whereGt<T>(a: T, b: T, ifTrue: T, ifFalse: T): T {
  if (isVector<T>()) return <T>v128.bitselect(<v128>ifTrue, <v128>ifFalse, f32x4.gt(<v128>a, <v128>b));
  return <f32>a > <f32>b ? ifTrue : ifFalse;
}

/** Lane-wise `a < b ? ifTrue : ifFalse` (false for NaN). */
@inline export function whereLt<T>(a: T, b: T, ifTrue: T, ifFalse: T): T {
  if (isVector<T>()) return <T>v128.bitselect(<v128>ifTrue, <v128>ifFalse, f32x4.lt(<v128>a, <v128>b));
  return <f32>a < <f32>b ? ifTrue : ifFalse;
}

@inline export function abs<T>(a: T): T {
  if (isVector<T>()) return <T>f32x4.abs(<v128>a);
  return <T>Mathf.abs(<f32>a);
}

/**
 * Lane-wise sign: 1 for a > 0 (+∞ too), −1 for a < 0, +0 for ±0, NaN for NaN (a − a gives the
 * last two: it is only reached for ±0 and NaN). The js backend matches it with
 * (a > 0) − (a < 0) + (a is NaN ? a : 0); a − a there would turn ±∞ into NaN.
 */
@inline export function sign<T>(a: T): T {
  const zero = splat<T>(0);
  return whereGt<T>(a, zero, splat<T>(1), whereLt<T>(a, zero, splat<T>(-1), sub<T>(a, a)));
}
