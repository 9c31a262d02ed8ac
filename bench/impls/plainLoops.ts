// Hand-written plain-JS update loops: what a careful user would write without this library.
// One pass per tensor over Float32Arrays, constants hoisted out of the loop, float64
// arithmetic (JS numbers) stored to float32. They are the "plain JS" column of the benchmark,
// not a reference for correctness (the float64 oracles in test/reference/ are).

/** One optimizer's update over one tensor: p and g, its state buffers, and the step t (from 1). */
export interface PlainLoop {
  /** Number of state buffers per tensor. */
  readonly slots: number;
  /** Value the state buffers start from (default 0). */
  readonly init?: number;
  update(p: Float32Array, g: Float32Array, state: Float32Array[], t: number): void;
}

export function sgd(lr: number): PlainLoop {
  return {
    slots: 0,
    update(p, g) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
    },
  };
}

/** PyTorch's accumulating momentum b ← μb + g (b = g on the first step), optionally Nesterov. */
export function momentum(lr: number, mu: number, nesterov: boolean): PlainLoop {
  return {
    slots: 1,
    update(p, g, [b], t) {
      const decay = t === 1 ? 0 : mu;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const bi = (b[i] = decay * b[i] + gi);
        p[i] -= lr * (nesterov ? gi + mu * bi : bi);
      }
    },
  };
}

export function adagrad(lr: number, eps: number): PlainLoop {
  return {
    slots: 1,
    update(p, g, [s]) {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const si = (s[i] += gi * gi);
        p[i] -= (lr * gi) / (Math.sqrt(si) + eps);
      }
    },
  };
}

export function rmsprop(lr: number, alpha: number, eps: number): PlainLoop {
  const c = 1 - alpha;
  return {
    slots: 1,
    update(p, g, [s]) {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const si = (s[i] = alpha * s[i] + c * gi * gi);
        p[i] -= (lr * gi) / (Math.sqrt(si) + eps);
      }
    },
  };
}

export function adadelta(lr: number, rho: number, eps: number): PlainLoop {
  const c = 1 - rho;
  return {
    slots: 2,
    update(p, g, [sq, acc]) {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const si = (sq[i] = rho * sq[i] + c * gi * gi);
        const d = (Math.sqrt(acc[i] + eps) / Math.sqrt(si + eps)) * gi;
        acc[i] = rho * acc[i] + c * d * d;
        p[i] -= lr * d;
      }
    },
  };
}

/** Adam, or AdamW when `decoupledWd` > 0 (θ ← θ(1 − η·wd) first). */
export function adam(lr: number, beta1: number, beta2: number, eps: number, decoupledWd = 0): PlainLoop {
  const c1 = 1 - beta1, c2 = 1 - beta2, decay = 1 - lr * decoupledWd;
  return {
    slots: 2,
    update(p, g, [m, v], t) {
      const stepSize = lr / (1 - beta1 ** t);
      const sqrtBc2 = Math.sqrt(1 - beta2 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = (m[i] = beta1 * m[i] + c1 * gi);
        const vi = (v[i] = beta2 * v[i] + c2 * gi * gi);
        p[i] = decay * p[i] - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
      }
    },
  };
}

export function adamax(lr: number, beta1: number, beta2: number, eps: number): PlainLoop {
  const c1 = 1 - beta1;
  return {
    slots: 2,
    update(p, g, [m, u], t) {
      const stepSize = lr / (1 - beta1 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = (m[i] = beta1 * m[i] + c1 * gi);
        const ui = (u[i] = Math.max(beta2 * u[i], Math.abs(gi) + eps));
        p[i] -= (stepSize * mi) / ui;
      }
    },
  };
}

export function lion(lr: number, beta1: number, beta2: number): PlainLoop {
  const c1 = 1 - beta1, c2 = 1 - beta2;
  return {
    slots: 1,
    update(p, g, [m]) {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i], mi = m[i];
        p[i] -= lr * Math.sign(beta1 * mi + c1 * gi);
        m[i] = beta2 * mi + c2 * gi;
      }
    },
  };
}

/** torch's ASGD: η and μ of step t follow from t alone (they are set after step t − 1). */
export function asgd(lr: number, lambd: number, alpha: number, t0: number): PlainLoop {
  return {
    slots: 1,
    update(p, g, [ax], t) {
      const eta = lr / Math.pow(1 + lambd * lr * (t - 1), alpha);
      const mu = t === 1 ? 1 : 1 / Math.max(1, t - 1 - t0);
      const decay = 1 - lambd * eta;
      for (let i = 0; i < p.length; i++) {
        const pi = (p[i] = p[i] * decay - eta * g[i]);
        ax[i] = mu === 1 ? pi : ax[i] + mu * (pi - ax[i]);
      }
    },
  };
}

/**
 * Schedule-free SGD (adam false) or AdamW with constant weights (r = 0, no warmup), so c = 1/t;
 * z starts as a copy of p.
 */
export function scheduleFree(lr: number, beta: number, adam: boolean, beta2 = 0.999, eps = 1e-8): PlainLoop {
  return {
    slots: adam ? 2 : 1,
    update(p, g, [z, v], t) {
      if (t === 1) z.set(p);
      const c = 1 / t, yCoef = lr * (beta * (1 - c) - 1);
      const bc2 = 1 - Math.pow(beta2, t);
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (adam) {
          const vi = (v[i] = beta2 * v[i] + (1 - beta2) * d * d);
          d /= Math.sqrt(vi / bc2) + eps;
        }
        const zi = z[i];
        p[i] += c * (zi - p[i]) + yCoef * d;
        z[i] = zi - lr * d;
      }
    },
  };
}
