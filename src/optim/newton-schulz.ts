import type { Kernels } from "../backend/contract.js";

/** The quintic's coefficients and how to run it: torch's ns_coefficients, eps and ns_steps (a Muon group is one). */
export interface NewtonSchulzOptions {
  readonly nsA: number;
  readonly nsB: number;
  readonly nsC: number;
  /** The Frobenius norm is clamped to at least eps before dividing by it. */
  readonly eps: number;
  readonly nsSteps: number;
}

/** Floats rounded up to a multiple of 4, so each scratch matrix starts 16-byte aligned. */
const padded = (floats: number) => (floats + 3) & ~3;

/**
 * Where the Newton–Schulz matrices of an r×c parameter live in a scratch block: X and Y, t×s each
 * (t = max(r, c), s = min(r, c)), and the two s×s Gram matrices A and P.
 */
export interface ScratchLayout {
  readonly x: number;
  readonly y: number;
  readonly a: number;
  readonly p: number;
}

/** Floats of each scratch matrix: X and Y (`matrix`), A and P (`gram`), 16-byte multiples. */
export interface ScratchNeed {
  matrix: number;
  gram: number;
}

/** The scratch the r×c parameters need; a block sized for the largest shape serves them all. */
export function scratchNeed(shapes: readonly (readonly number[])[]): ScratchNeed {
  let matrix = 0, gram = 0;
  for (const [r, c] of shapes) {
    matrix = Math.max(matrix, padded(r * c));
    gram = Math.max(gram, padded(Math.min(r, c) ** 2));
  }
  return { matrix, gram };
}

export function scratchFloats(need: ScratchNeed): number {
  return Math.max(4, 2 * need.matrix + 2 * need.gram);
}

export function scratchLayout(offset: number, need: ScratchNeed): ScratchLayout {
  const x = offset, y = x + 4 * need.matrix, a = y + 4 * need.matrix;
  return { x, y, a, p: a + 4 * need.gram };
}

/**
 * Orthogonalises the r×c matrix U at `u` (row-major, in scratch Y or anywhere but X) as torch's
 * _zeropower_via_newtonschulz does, and returns the offset of the r×c result (X or Y).
 *
 * torch transposes a tall U and iterates X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ on the wide one.
 * Here the iteration always runs on the tall orientation T (t×s, t ≥ s), T = U or Uᵀ:
 *   A = Tᵀ·T;  B = b·A + c·(A·A);  T ← a·T + T·B
 * which is the same iteration transposed (T·Bᵀ = (B·Tᵀ)ᵀ). A and A·A are symmetric bit for bit: the
 * two halves of each add the same products (x·y = y·x exactly) in the same order, so only their upper
 * triangles are computed (gemmSymmetric, a third of the work off a square step), and B, element-wise
 * in them, is symmetric too: T·B is T·Bᵀ. Tᵀ is copied out for A (the GEMM reads a plain A's rows
 * contiguously, ~1.7× faster than a transposed one at 1024; the copy is O(t·s) against O(t·s²)), so
 * no product has a transposed operand. A square U is transposed too (the polynomial is the same).
 *
 * Every element goes through fixed float32 operations (the GEMM's summation order, the element-wise
 * kernels): the bits are the same on every backend. The norm is Σu² in float64 (fixed blocks).
 */
export function orthogonalize(kernels: Kernels, s: ScratchLayout, u: number, rows: number, cols: number, o: NewtonSchulzOptions): number {
  const tall = rows > cols;
  const t = tall ? rows : cols, w = tall ? cols : rows;
  const n = rows * cols;
  const norm = Math.sqrt(kernels.sumSquares(u, n));
  // torch: X.div_(X.norm().clamp(min=eps)); a NaN norm stays NaN, as with clamp.
  const divisor = norm < o.eps ? o.eps : norm;
  kernels.muonCopy(s.x, u, rows, cols, divisor, !tall);
  let x = s.x, y = s.y;
  for (let step = 0; step < o.nsSteps; step++) {
    kernels.muonCopy(y, x, t, w, 1, true);
    kernels.fill(s.a, w * w, 0);
    kernels.gemmSymmetric(s.a, y, x, w, t);
    kernels.fill(s.p, w * w, 0);
    kernels.gemmSymmetric(s.p, s.a, s.a, w, w);
    kernels.muonAxpby(s.a, s.p, w * w, o.nsB, o.nsC);
    kernels.fill(y, t * w, 0);
    kernels.gemm(y, x, s.p, t, w, w, false, false);
    kernels.muonAxpby(x, y, t * w, o.nsA, 1);
    const done = y;
    y = x;
    x = done;
  }
  if (tall) return x;
  kernels.muonCopy(y, x, t, w, 1, true);
  return y;
}
