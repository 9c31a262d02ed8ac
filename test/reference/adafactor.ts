/** Adafactor's options as torch.optim.Adafactor names them (camelCase; eps = (eps1, eps2)). */
export interface AdafactorReferenceOptions {
  lr?: number;
  beta2Decay?: number;
  /** null: the float32 machine epsilon, torch.finfo(torch.float32).eps. */
  eps1?: number | null;
  eps2?: number;
  d?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export interface AdafactorReference {
  /** rowVar and colVar (shape with the last dim, resp. the second-to-last, dropped) or variance. */
  readonly state: Record<string, Float64Array>;
  /** Step t (1-based) in place; returns the update's clipping denominator max(1, RMS(U)/d). */
  step(t: number, p: Float64Array, g: Float64Array): number;
}

/** Python's max(a, b), as torch's step calls it on floats: b only if b > a (a NaN b gives a). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/**
 * torch.optim.Adafactor (torch/optim/_adafactor.py, _single_tensor_adafactor) in float64 for one
 * parameter of the given shape, written from its documented algorithm:
 *   G = ±g;  1 − β2ₜ = t^beta2Decay;  ρ = min(lr, 1/√t);  α = max(eps2, RMS(θ))·ρ;  θ ← (1 − lr·wd)·θ
 *   ≥ 2 dims (the last two factored, leading dims a batch): R ← lerp(R, mean_cols G²), C ← lerp(C, mean_rows G²),
 *     V = R·C / max(mean(R), eps1);  else V ← lerp(V, G²)
 *   U = G / √max(V, eps1²);  θ ← θ − α / max(1, RMS(U)/d) · U
 */
export function adafactorReference(shape: readonly number[], o: AdafactorReferenceOptions = {}): AdafactorReference {
  const { lr = 1e-2, beta2Decay = -0.8, eps2 = 1e-3, d = 1, weightDecay = 0, maximize = false } = o;
  const eps1 = o.eps1 ?? 2 ** -23;
  const n = shape.reduce((a, b) => a * b, 1);
  const factored = shape.length >= 2;
  const rows = factored ? shape[shape.length - 2] : 1, cols = factored ? shape[shape.length - 1] : n;
  const batch = factored ? n / (rows * cols) : 1;
  const state: Record<string, Float64Array> = factored
    ? { rowVar: new Float64Array(batch * rows), colVar: new Float64Array(batch * cols) }
    : { variance: new Float64Array(n) };
  const lerp = (s: number, x: number, w: number) => s + w * (x - s);
  const u = new Float64Array(n);

  return {
    state,
    step(t, p, g) {
      const w = t ** beta2Decay;
      const rho = Math.min(lr, 1 / Math.sqrt(t));
      let pp = 0;
      for (let i = 0; i < n; i++) pp += p[i] * p[i];
      const alpha = pyMax(eps2, Math.sqrt(pp / n)) * rho;
      for (let i = 0; i < n; i++) p[i] *= 1 - lr * weightDecay;
      const G = (i: number) => (maximize ? -g[i] : g[i]);
      if (factored) {
        const { rowVar, colVar } = state;
        for (let b = 0; b < batch; b++) {
          const at = (i: number, j: number) => b * rows * cols + i * cols + j;
          for (let i = 0; i < rows; i++) {
            let s = 0;
            for (let j = 0; j < cols; j++) s += G(at(i, j)) ** 2;
            rowVar[b * rows + i] = lerp(rowVar[b * rows + i], s / cols, w);
          }
          for (let j = 0; j < cols; j++) {
            let s = 0;
            for (let i = 0; i < rows; i++) s += G(at(i, j)) ** 2;
            colVar[b * cols + j] = lerp(colVar[b * cols + j], s / rows, w);
          }
          let rowSum = 0;
          for (let i = 0; i < rows; i++) rowSum += rowVar[b * rows + i];
          const m = Math.max(rowSum / rows, eps1);
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
            const v = (rowVar[b * rows + i] * colVar[b * cols + j]) / m;
            u[at(i, j)] = G(at(i, j)) / Math.sqrt(Math.max(v, eps1 * eps1));
          }
        }
      } else {
        const { variance } = state;
        for (let i = 0; i < n; i++) {
          variance[i] = lerp(variance[i], G(i) ** 2, w);
          u[i] = G(i) / Math.sqrt(Math.max(variance[i], eps1 * eps1));
        }
      }
      let uu = 0;
      for (let i = 0; i < n; i++) uu += u[i] * u[i];
      const denom = pyMax(1, Math.sqrt(uu / n) / d);
      for (let i = 0; i < n; i++) p[i] -= (alpha / denom) * u[i];
      return denom;
    },
  };
}
