import { ld, st, splat, add, sub, mul, div, canonical, watch, sawNaN, canonicalizeNaN } from "../ops/lane";

// Muon's element-wise pieces; its matrix products are ops/gemm.ts. Pointers are heap byte offsets
// of any 4-byte alignment (a parameter's region inside a packed group is not 16-byte aligned; the
// v128.load alignment is only a hint). n may be any length.

/**
 * The momentum buffer and the matrix Newton–Schulz orthogonalises, as torch's lerps:
 *   g' = gScale·g;  b ← μ·b + (1 − μ)·g';  u = nesterov ? μ·b + (1 − μ)·g' : b  (written to out)
 */
export function muonMomentum(g: usize, buf: usize, out: usize, n: i32, gScale: f32, mu: f32, oneMinusMu: f32, nesterov: bool): void {
  if (nesterov) momentumLoop(g, buf, out, n, gScale, mu, oneMinusMu, true);
  else momentumLoop(g, buf, out, n, gScale, mu, oneMinusMu, false);
}

@inline function momentumLoop(g: usize, buf: usize, out: usize, n: i32, gScale: f32, mu: f32, oneMinusMu: f32, nesterov: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gScaleV = splat<v128>(gScale), muV = splat<v128>(mu), cV = splat<v128>(oneMinusMu);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, momentumLane<v128>(g + o, buf + o, out + o, gScaleV, muV, cV, nesterov));
    }
    if (sawNaN(seen, splat<v128>(0))) {
      canonicalizeNaN(buf, i);
      canonicalizeNaN(out, i);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    momentumLane<f32>(g + o, buf + o, out + o, gScale, mu, oneMinusMu, nesterov);
  }
}

@inline function momentumLane<T>(g: usize, buf: usize, out: usize, gScale: T, mu: T, c: T, nesterov: bool): T {
  const gi = mul<T>(gScale, ld<T>(g));
  const b = add<T>(mul<T>(mu, ld<T>(buf)), mul<T>(c, gi));
  st<T>(buf, b);
  if (!nesterov) {
    st<T>(out, b);
    return b;
  }
  // μ·b can overflow where b did not, so the watch needs both outputs.
  const u = add<T>(mul<T>(mu, b), mul<T>(c, gi));
  st<T>(out, u);
  return add<T>(b, u);
}

/** y ← α·x + β·y: the Newton–Schulz polynomial's sums (b·A + c·A², then a·X + B·X). */
export function muonAxpby(x: usize, y: usize, n: i32, alpha: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const alphaV = splat<v128>(alpha), betaV = splat<v128>(beta);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      seen = watch(seen, axpbyLane<v128>(x + o, y + o, alphaV, betaV));
    }
    if (sawNaN(seen, splat<v128>(0))) canonicalizeNaN(y, i);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    axpbyLane<f32>(x + o, y + o, alpha, beta);
  }
}

@inline function axpbyLane<T>(x: usize, y: usize, alpha: T, beta: T): T {
  const next = add<T>(mul<T>(alpha, ld<T>(x)), mul<T>(beta, ld<T>(y)));
  st<T>(y, next);
  return next;
}

/** p ← decay·p − lr·o: decoupled weight decay (decay = 1 − lr·λ) and the orthogonalised step. */
export function muonApply(p: usize, o: usize, n: i32, decay: f32, lr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const decayV = splat<v128>(decay), lrV = splat<v128>(lr);
    let seen = splat<v128>(0);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      seen = watch(seen, applyLane<v128>(p + at, o + at, decayV, lrV));
    }
    if (sawNaN(seen, splat<v128>(0))) canonicalizeNaN(p, i);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    applyLane<f32>(p + at, o + at, decay, lr);
  }
}

@inline function applyLane<T>(p: usize, o: usize, decay: T, lr: T): T {
  const next = sub<T>(mul<T>(decay, ld<T>(p)), mul<T>(lr, ld<T>(o)));
  st<T>(p, next);
  return next;
}

/**
 * dst ← src / divisor, src a rows×cols matrix; transposed (dst cols×rows) when `transpose`.
 * Normalises the momentum matrix by its Frobenius norm, and turns the result back. Not
 * element-wise when transposing: it runs whole on the calling thread.
 */
export function muonCopy(dst: usize, src: usize, rows: i32, cols: i32, divisor: f32, transpose: bool): void {
  if (!transpose) {
    const n = rows * cols;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const d = splat<v128>(divisor);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(dst + o, canonical<v128>(div<v128>(ld<v128>(src + o), d)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      st<f32>(dst + o, div<f32>(ld<f32>(src + o), divisor));
    }
    return;
  }
  // Bands of 8 source rows: their cache lines stay loaded while the columns are walked, and the
  // writes come in runs of 8 floats instead of one float per destination row.
  const rsDst = <usize>rows << 2;
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const i1 = min(i0 + 8, rows);
    for (let j = 0; j < cols; j++) {
      const d = dst + <usize>j * rsDst;
      for (let i = i0; i < i1; i++) {
        st<f32>(d + (<usize>i << 2), div<f32>(load<f32>(src + ((<usize>i * <usize>cols + <usize>j) << 2)), divisor));
      }
    }
  }
}
