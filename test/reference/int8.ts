// A reference of block-wise 8-bit Adam state written from the definitions, independently of
// src/backend/js/int8.ts: bitsandbytes' dynamic map as create_dynamic_map builds it (linspace
// boundaries, their means, times powers of ten; float64, rounded once to float32), quantization by
// counting decision boundaries linearly (the boundary between neighbours: the float32 nearest their
// midpoint; a value on it takes the lower entry), and Adam's float32 arithmetic (each operation
// rounded with Math.fround, in the kernel's order).
const f = Math.fround;

export function referenceMap(signed: boolean): number[] {
  const data: number[] = [];
  for (let i = 0; i < 7; i++) {
    const items = (signed ? 2 ** i : 2 ** (i + 1)) + 1;
    const bounds = Array.from({ length: items }, (_, j) => 0.1 + (0.9 * j) / (items - 1));
    for (let j = 0; j + 1 < items; j++) {
      const mean = (bounds[j] + bounds[j + 1]) / 2;
      data.push(10 ** (i - 6) * mean);
      if (signed) data.push(-(10 ** (i - 6)) * mean);
    }
  }
  data.push(0, 1);
  return data.map(f).sort((a, b) => a - b);
}

const MAPS = { signed: referenceMap(true), unsigned: referenceMap(false) };

export function referenceCode(y: number, signed: boolean): number {
  const map = signed ? MAPS.signed : MAPS.unsigned;
  let code = 0;
  for (let k = 0; k + 1 < map.length; k++) if (f((map[k] + map[k + 1]) / 2) < y) code++;
  return code;
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
  const map = slot.signed ? MAPS.signed : MAPS.unsigned;
  return f(map[slot.codes[i]] * slot.scales[Math.floor(i / 256)]);
}

/** Stores a block's new values: scale = max |x| (NaN when it is NaN or ∞), codes of x / scale (/ 1 when the scale is 0). */
export function refStoreBlock(slot: RefSlot, b: number, values: number[]): void {
  let absmax = 0;
  let bad = false;
  for (const x of values) {
    if (!Number.isFinite(x)) bad = true;
    else absmax = Math.max(absmax, Math.abs(x));
  }
  const scale = bad ? NaN : absmax;
  values.forEach((x, j) => (slot.codes[256 * b + j] = bad ? 0 : referenceCode(f(x / (scale === 0 ? 1 : scale)), slot.signed)));
  slot.scales[b] = scale;
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
