import type { Kernels } from "../backend/types.js";

// One parameter's Adafactor step as kernel calls (assembly/kernels/adafactor.ts), with the step's
// scalars computed in float64 in torch.optim.Adafactor's order (docs/adafactor.md). Numbers only:
// a step allocates nothing.

/** torch's ε1 when `eps1` is None: the float32 machine epsilon, torch.finfo(torch.float32).eps = 2^-23. */
export const FLOAT32_EPSILON = 2 ** -23;

/** The hyperparameters one step reads, ε1 resolved. */
export interface AdafactorHyper {
  readonly lr: number;
  readonly beta2Decay: number;
  readonly eps1: number;
  readonly eps2: number;
  readonly d: number;
  readonly weightDecay: number;
}

/**
 * How a parameter is factored: torch factors every parameter of two dims or more over its last two
 * (rows × cols), the leading dims a batch of matrices; a 1-D (or 0-D) parameter is not factored.
 */
export interface AdafactorFactoring {
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
}

/** The factoring of a shape, or null for a parameter with a per-element variance. */
export function factoring(shape: readonly number[]): AdafactorFactoring | null {
  if (shape.length < 2) return null;
  let batch = 1;
  for (let i = 0; i < shape.length - 2; i++) batch *= shape[i];
  return { batch, rows: shape[shape.length - 2], cols: shape[shape.length - 1] };
}

/** Heap byte offsets of one parameter and its state; `factored` null means `variance` is used, else rowVar and colVar. */
export interface AdafactorParamAt {
  readonly p: number;
  readonly g: number;
  readonly n: number;
  readonly factored: AdafactorFactoring | null;
  readonly rowVar: number;
  readonly colVar: number;
  readonly variance: number;
}

/** Python's max(a, b): a unless b > a, so a NaN b gives a (torch takes max(eps2, RMS) and max(1, RMS/d) in Python). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/**
 * Step t (1-based) of one parameter. gScale is the gradient's factor: −1 for maximize, times the
 * step's clipping coefficient. α uses the RMS of the parameter before the weight decay, as torch.
 */
export function adafactorParamStep(k: Kernels, at: AdafactorParamAt, h: AdafactorHyper, t: number, gScale: number): void {
  const weight = t ** h.beta2Decay; // 1 − β2ₜ, torch's lerp weight
  const rho = Math.min(h.lr, 1 / Math.sqrt(t));
  const alpha = pyMax(h.eps2, Math.sqrt(k.sumSquares(at.p, at.n)) / Math.sqrt(at.n)) * rho;
  const decay = 1 - h.lr * h.weightDecay;
  const eps1Sq = h.eps1 * h.eps1;
  const f = at.factored;
  let squares: number;
  if (f) {
    k.adafactorFactors(at.g, at.rowVar, at.colVar, f.batch, f.rows, f.cols, gScale, weight);
    squares = k.adafactorFactoredSq(at.g, at.rowVar, at.colVar, f.batch, f.rows, f.cols, gScale, h.eps1, eps1Sq);
  } else {
    squares = k.adafactorVectorSq(at.g, at.variance, at.n, gScale, weight, eps1Sq);
  }
  const stepSize = alpha / pyMax(1, Math.sqrt(squares) / (Math.sqrt(at.n) * h.d));
  if (f) k.adafactorFactoredStep(at.p, at.g, at.rowVar, at.colVar, f.batch, f.rows, f.cols, gScale, h.eps1, eps1Sq, decay, stepSize);
  else k.adafactorVectorStep(at.p, at.g, at.variance, at.n, gScale, eps1Sq, decay, stepSize);
}
