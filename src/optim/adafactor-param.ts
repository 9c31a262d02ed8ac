import type { Kernels } from "../backend/types.js";

// One parameter's Adafactor step as kernel calls (assembly/kernels/adafactor.ts), with the step's
// scalars computed in float64 in torch.optim.Adafactor's order (docs/adafactor.md). It allocates
// nothing.

/** torch's ε1 when `eps1` is None: the float32 machine epsilon, torch.finfo(torch.float32).eps = 2^-23. */
export const FLOAT32_EPSILON = 2 ** -23;

/** The hyperparameters one step reads (an Adafactor group has them; eps1 null is FLOAT32_EPSILON). */
export interface AdafactorHyper {
  readonly lr: number;
  readonly beta2Decay: number;
  readonly eps1: number | null;
  readonly eps2: number;
  readonly d: number;
  readonly weightDecay: number;
}

/** Python's max(a, b): a unless b > a, so a NaN b gives a (torch takes max(eps2, RMS) and max(1, RMS/d) in Python). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/**
 * Step t (1-based) of one parameter of `shape` at heap byte offset p, gradient at g. torch factors
 * every parameter of two dims or more over its last two (rows × cols; the leading dims a batch of
 * matrices), with its row and column factors at rowVar and colVar; a 1-D (or 0-D) one has its
 * per-element variance at `variance`. The offsets a parameter does not use are ignored.
 * gScale is the gradient's factor: −1 for maximize, times the step's clipping coefficient.
 * α uses the RMS of the parameter before the weight decay, as torch.
 */
export function adafactorParamStep(
  k: Kernels, h: AdafactorHyper, t: number, gScale: number,
  shape: readonly number[], p: number, g: number, rowVar: number, colVar: number, variance: number,
): void {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  const eps1 = h.eps1 ?? FLOAT32_EPSILON;
  const weight = t ** h.beta2Decay; // 1 − β2ₜ, torch's lerp weight
  const rho = Math.min(h.lr, 1 / Math.sqrt(t));
  const alpha = pyMax(h.eps2, Math.sqrt(k.sumSquares(p, n)) / Math.sqrt(n)) * rho;
  const decay = 1 - h.lr * h.weightDecay;
  const eps1Sq = eps1 * eps1;
  const factored = shape.length >= 2;
  const rows = factored ? shape[shape.length - 2] : 0, cols = factored ? shape[shape.length - 1] : 0;
  let batch = 1;
  for (let i = 0; i < shape.length - 2; i++) batch *= shape[i];
  let squares: number;
  if (factored) {
    k.adafactorFactors(g, rowVar, colVar, batch, rows, cols, gScale, weight);
    squares = k.adafactorFactoredSq(g, rowVar, colVar, batch, rows, cols, gScale, eps1, eps1Sq);
  } else {
    squares = k.adafactorVectorSq(g, variance, n, gScale, weight, eps1Sq);
  }
  const stepSize = alpha / pyMax(1, Math.sqrt(squares) / (Math.sqrt(n) * h.d));
  if (factored) k.adafactorFactoredStep(p, g, rowVar, colVar, batch, rows, cols, gScale, eps1, eps1Sq, decay, stepSize);
  else k.adafactorVectorStep(p, g, variance, n, gScale, eps1Sq, decay, stepSize);
}
