// The bfloat16 state format, as numbers: widening a pattern, rounding to nearest even or
// stochastically, and the counter hash stochastic rounding draws from. Shared by the js kernels
// (src/backend/js/storage.ts), loading and converting saved state, and the optimizer's getState;
// assembly/ops/storage.ts is the wasm twin.

/** The one bfloat16 NaN the kernels store. */
export const BF16_NAN = 0xffff;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The float32 a bfloat16 pattern stands for (exact: its bits are the top half). */
export function fromBf16(half: number): number {
  scratchBits[0] = half << 16;
  return scratch[0];
}

/** x (a float32 value) as a bfloat16 pattern: `r` is added below the kept half, then the rest is cut. */
function quantize(x: number, r: number): number {
  if (x !== x) return BF16_NAN;
  scratch[0] = x;
  return ((scratchBits[0] + r) >>> 16) & 0xffff;
}

/** Round to nearest, ties to even (as assembly's BF16 mode). */
export function toBf16(x: number): number {
  scratch[0] = x;
  return quantize(x, 0x7fff + ((scratchBits[0] >>> 16) & 1));
}

/** Stochastic rounding with the random bits of element `index` under `key` (as assembly's BF16_SR). */
export function toBf16Stochastic(x: number, key: number, index: number): number {
  return quantize(x, mix((index ^ key) >>> 0) & 0xffff);
}

/** The 32-bit mixer of assembly/ops/storage.ts, `mix` (Math.imul: the same wrapping products). */
export function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** The per-slot key (assembly's `slotKey`). */
export function slotKey(key: number, slot: number): number {
  return (key + Math.imul(slot, 0x9e3779b9)) >>> 0;
}
