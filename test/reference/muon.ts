import type { MuonOptions } from "../../src/index.js";

/** C = A·B for row-major float64 matrices (m×k times k×n). */
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/**
 * torch.optim.Muon's step for one rows×cols parameter in float64, written from torch/optim/_muon.py
 * (main, 2025: `_single_tensor_muon`, `_zeropower_via_newtonschulz`, `_adjust_lr`) and its docstring,
 * without its bfloat16 cast. The state is the momentum buffer.
 */
export function muonReference(rows: number, cols: number, o: Partial<MuonOptions>) {
  const {
    lr = 1e-3, weightDecay = 0.1, momentum = 0.95, nesterov = true,
    nsA = 3.4445, nsB = -4.775, nsC = 2.0315, eps = 1e-7, nsSteps = 5, adjustLrFn = "original",
  } = o;
  const n = rows * cols;
  const buf = new Float64Array(n);
  return {
    state: { momentumBuffer: buf },
    /** One step: p and g are rows×cols, row-major; `gScale` multiplies g (clipping). */
    step(p: Float64Array, g: Float64Array, gScale = 1) {
      const grad = g.map((x) => x * gScale);
      for (let i = 0; i < n; i++) buf[i] += (1 - momentum) * (grad[i] - buf[i]); // buf.lerp_(grad, 1 - momentum)
      let x: Float64Array = nesterov ? grad.map((gi, i) => gi + momentum * (buf[i] - gi)) : buf.slice(); // grad.lerp(buf, momentum)
      // _zeropower_via_newtonschulz: X (r×q) is the update, transposed when rows > cols.
      const tall = rows > cols;
      const r = tall ? cols : rows, q = tall ? rows : cols;
      if (tall) x = transpose(x, rows, cols);
      const norm = Math.sqrt(x.reduce((sum, v) => sum + v * v, 0));
      const d = Math.max(norm, eps); // norm().clamp(min=eps)
      x = x.map((v) => v / d);
      for (let k = 0; k < nsSteps; k++) {
        const gram = matmul(x, transpose(x, r, q), r, q, r); // X @ X.T
        const gram2 = matmul(gram, gram, r, r, r);
        const update = gram.map((v, i) => nsB * v + nsC * gram2[i]); // b * A + c * A @ A
        const bx = matmul(update, x, r, r, q);
        x = x.map((v, i) => nsA * v + bx[i]); // a * X + B @ X
      }
      if (tall) x = transpose(x, cols, rows);
      const ratio = adjustLrFn === "original" ? Math.sqrt(Math.max(1, rows / cols)) : 0.2 * Math.sqrt(Math.max(rows, cols));
      for (let i = 0; i < n; i++) p[i] = p[i] * (1 - lr * weightDecay) - lr * ratio * x[i];
    },
  };
}
