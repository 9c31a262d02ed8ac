// A reference of block-wise 8-bit state written from its definition (docs/state-format.md),
// independently of assembly/ops/int8.ts and src/backend/js/int8.ts: the codes are 8-bit floats
// relative to the block's absmax, here computed with float64 arithmetic (powers of two, a search for
// the nearest representable number) where the kernels shift integer bits; and Adam's and SGD's
// float32 arithmetic (each operation rounded with Math.fround, in the kernel's order).
const f = Math.fround;

/** The number code c stands for before its block's scale: signed, a sign bit and 7 bits; unsigned, 8 bits. */
export function codeValue(c: number, signed: boolean): number {
  const magnitude = signed ? c % 128 : c;
  const value = magnitude === 0 ? 0 : 2 ** (Math.floor(magnitude / 8) - (signed ? 15 : 31)) * (1 + (magnitude % 8) / 8);
  return signed && c >= 128 ? -value : value;
}

/**
 * The code of a normalized y: |y| rounded to 4 significant bits (round half to even), then the code of
 * that number; a signed y whose rounded magnitude is below the smallest code becomes ±0 (code 0 or
 * 128 by its sign), an unsigned y > 0 becomes at least the smallest code, an unsigned y ≤ 0 code 0.
 */
export function referenceCode(y: number, signed: boolean): number {
  const negative = y < 0 || Object.is(y, -0);
  if (!signed && (negative || y === 0)) return 0;
  const a = Math.abs(y);
  let rounded = 0;
  if (a > 0) {
    const e = Math.floor(Math.log2(a));
    const exp = 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e; // guard log2's rounding
    const unit = 2 ** (exp - 3), q = a / unit, low = Math.floor(q);
    const steps = q - low > 0.5 || (q - low === 0.5 && low % 2 === 1) ? low + 1 : low;
    rounded = steps * unit;
  }
  const smallest = codeValue(1, signed);
  let code = 0;
  if (rounded >= smallest) {
    for (let c = 1; c < (signed ? 128 : 256); c++) if (codeValue(c, signed) === rounded) code = c;
    if (code === 0) throw new Error(`no code for ${rounded}`);
  } else if (!signed) code = 1;
  return signed && negative ? code + 128 : code;
}

/** One int8 slot of the reference: codes and a scale per 256. */
export interface RefSlot {
  codes: Uint8Array;
  scales: Float32Array;
  signed: boolean;
}

export function refSlot(n: number, signed: boolean): RefSlot {
  return { codes: new Uint8Array(n), scales: new Float32Array(Math.ceil(n / 256)), signed };
}

export function refValue(slot: RefSlot, i: number): number {
  return f(codeValue(slot.codes[i], slot.signed) * slot.scales[Math.floor(i / 256)]);
}

/**
 * Stores a block's new values: scale = max |x|; NaN and codes 0 when some x is NaN or ±∞; 0 and codes
 * 0 when the absmax is below the smallest normal float32; else the codes of fround(x · fround(1/scale)).
 */
export function refStoreBlock(slot: RefSlot, b: number, values: ArrayLike<number>): void {
  let absmax = 0;
  let bad = false;
  for (const x of Array.from(values)) {
    if (!Number.isFinite(x)) bad = true;
    else absmax = Math.max(absmax, Math.abs(x));
  }
  const flushed = bad || absmax < 2 ** -126;
  const inverse = f(1 / absmax);
  Array.from(values).forEach((x, j) => (slot.codes[256 * b + j] = flushed ? 0 : referenceCode(f(x * inverse), slot.signed)));
  slot.scales[b] = bad ? NaN : flushed ? 0 : absmax;
}

export interface RefAdam {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean; decoupled: boolean;
}

/** One Adam step over p with int8 slots m, v (and vmax): p updated from the unquantized new moments. */
export function refAdamStep(o: RefAdam, t: number, p: Float32Array, g: Float32Array, m: RefSlot, v: RefSlot, x: RefSlot | null): void {
  const bc1 = 1 - o.beta1 ** t, sqrtBc2 = Math.sqrt(1 - o.beta2 ** t);
  const gScale = f(o.maximize ? -1 : 1), wd = f(o.decoupled ? 0 : o.weightDecay), decay = f(o.decoupled ? 1 - o.lr * o.weightDecay : 1);
  const b1 = f(o.beta1), c1 = f(1 - o.beta1), b2 = f(o.beta2), c2 = f(1 - o.beta2);
  const stepSize = f((o.lr * sqrtBc2) / bc1), epsHat = f(o.eps * sqrtBc2);
  for (let b = 0; 256 * b < p.length; b++) {
    const ms: number[] = [], vs: number[] = [], xs: number[] = [], next: number[] = [];
    for (let i = 256 * b; i < Math.min(p.length, 256 * b + 256); i++) {
      const gi = f(f(gScale * g[i]) + f(wd * p[i]));
      const mi = f(f(b1 * refValue(m, i)) + f(c1 * gi));
      let vi = f(f(b2 * refValue(v, i)) + f(c2 * f(gi * gi)));
      ms.push(mi);
      vs.push(vi);
      if (x) {
        const old = refValue(x, i);
        vi = old !== old || vi !== vi ? NaN : Math.max(old, vi);
        xs.push(vi);
      }
      next.push(f(f(decay * p[i]) - f(f(stepSize * mi) / f(f(Math.sqrt(vi)) + epsHat))));
    }
    refStoreBlock(m, b, ms);
    refStoreBlock(v, b, vs);
    if (x) refStoreBlock(x, b, xs);
    next.forEach((value, j) => (p[256 * b + j] = value));
  }
}

export interface RefSgd {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean; ema: boolean;
}

/** One SGD-with-momentum step over p with an int8 buffer (torch's form: b ← g' on the first step, unless "ema"). */
export function refSgdStep(o: RefSgd, t: number, p: Float32Array, g: Float32Array, buf: RefSlot): void {
  const first = t === 1 && !o.ema;
  const decay = f(first ? 0 : o.momentum), gradScale = f(first ? 1 : o.ema ? 1 - o.momentum : 1 - o.dampening);
  const lr = f(o.lr), gScale = f(o.maximize ? -1 : 1), wd = f(o.weightDecay), mu = f(o.momentum);
  for (let b = 0; 256 * b < p.length; b++) {
    const bs: number[] = [], next: number[] = [];
    for (let i = 256 * b; i < Math.min(p.length, 256 * b + 256); i++) {
      const gi = f(f(gScale * g[i]) + f(wd * p[i]));
      const bi = f(f(decay * refValue(buf, i)) + f(gradScale * gi));
      bs.push(bi);
      next.push(f(p[i] - f(lr * (o.nesterov ? f(gi + f(mu * bi)) : bi))));
    }
    refStoreBlock(buf, b, bs);
    next.forEach((value, j) => (p[256 * b + j] = value));
  }
}
