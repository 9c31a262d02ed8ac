/** What the float64 oracles of Adam's relatives need to know to form g' and update m and v. */
export interface MomentOptions {
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/**
 * PyTorch's first half of an Adam-like step for element i, in float64: g' = ±g plus L2 decay, or
 * θ·(1 − η·λ) when decoupled; then m ← β1·m + (1 − β1)·g' and v ← β2·v + (1 − β2)·g'². Returns g'.
 */
export function updateMoments(o: MomentOptions, i: number, p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): number {
  let gi = o.maximize ? -g[i] : g[i];
  if (o.decoupledWeightDecay) p[i] *= 1 - o.lr * o.weightDecay;
  else gi += o.weightDecay * p[i];
  m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
  v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
  return gi;
}
