// bfloat16 rounding written from its definition, in float64 arithmetic on values (no bit tricks):
// the oracle the kernels' integer rounding (assembly/ops/storage.ts, src/backend/js/storage.ts) must
// match bit for bit. A bfloat16 keeps a float32's sign, its 8 exponent bits and the top 7 of its 23
// mantissa bits, so its quantum at |x| in [2^e, 2^(e+1)) is 2^(e−7), and 2^−133 below 2^−126.

const MAX_EXPONENT = 127;
const MIN_NORMAL = 2 ** -126;

/** The bfloat16 quantum (spacing of neighbours) at a finite |x|. */
function quantum(a: number): number {
  if (a < MIN_NORMAL) return 2 ** -133;
  let e = Math.floor(Math.log2(a));
  // log2 may round across a power of two: settle the exponent exactly.
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 7);
}

/** The 16-bit pattern of a value that is exactly a bfloat16 (or ±∞), through its float32 encoding. */
function pattern(value: number, negative: boolean): number {
  const bits = new Uint32Array(new Float32Array([Math.abs(value)]).buffer)[0] >>> 16;
  return negative ? bits | 0x8000 : bits;
}

/**
 * x (a float32 value) rounded to bfloat16, as its 16-bit pattern. `random` undefined: to nearest,
 * ties to even; else stochastic: up (away from zero) when fraction·2^16 + random ≥ 2^16, so up with
 * probability equal to the cut-off fraction. NaN gives 0xFFFF, ±∞ stay, past the largest finite
 * bfloat16 gives ±∞.
 */
export function roundToBf16(x: number, random?: number): number {
  if (Number.isNaN(x)) return 0xffff;
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === Infinity) return pattern(Infinity, negative);
  const q = quantum(a);
  const lower = Math.floor(a / q) * q;
  const fraction = ((a - lower) / q) * 65536; // an integer: a float32 has at most 16 bits below the quantum
  const odd = Math.floor(a / q) % 2 === 1;
  const up = random === undefined ? fraction > 32768 || (fraction === 32768 && odd) : fraction + random >= 65536;
  const rounded = lower + (up ? q : 0);
  return pattern(rounded >= 2 ** (MAX_EXPONENT + 1) ? Infinity : rounded, negative);
}

/** The float32 value of a bfloat16 pattern. */
export function bf16Value(bits: number): number {
  if ((bits & 0x7f80) === 0x7f80) return (bits & 0x7f) !== 0 ? NaN : bits & 0x8000 ? -Infinity : Infinity;
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 7) & 0xff, mantissa = bits & 0x7f;
  return sign * (exponent === 0 ? mantissa * 2 ** -133 : (1 + mantissa / 128) * 2 ** (exponent - 127));
}

// The stochastic-rounding bits, from their specification (docs/state-format.md, "bfloat16"): a 32-bit
// xor-shift-multiply mixer; the step key mixes seed, group index and the step's two 32-bit halves; each
// slot k of an element draws mix(index ⊕ (key + k·0x9E3779B9)) and uses its low 16 bits.

function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x21f0aaad) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x735a2d97) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

/** The random 16 bits of element `index` (in its group) of slot `slot`, at `step` of group `group`. */
export function randomBits(seed: number, group: number, step: number, slot: number, index: number): number {
  let key = mix(seed);
  key = mix((key ^ group) >>> 0);
  key = mix((key ^ step % 2 ** 32) >>> 0);
  key = mix((key ^ Math.floor(step / 2 ** 32)) >>> 0);
  const slotKey = (key + Math.imul(slot, 0x9e3779b9)) >>> 0;
  return mix((index ^ slotKey) >>> 0) & 0xffff;
}
