/** torch's threshold: a pair whose curvature yᵀs is not above it is skipped, keeping H positive definite. */
const MIN_CURVATURE = 1e-10;

/**
 * The last `capacity` curvature pairs of L-BFGS, s = x_{k+1} − x_k and y = g_{k+1} − g_k, in a ring
 * of float64 vectors (allocated as the history fills, then reused), and the two-loop recursion that
 * applies the inverse-Hessian estimate they define (Nocedal & Wright, Algorithm 7.4).
 */
export class CurvatureHistory {
  /** The scale γ = sᵀy / yᵀy of the initial inverse Hessian γ·I, from the newest pair. */
  hDiag = 1;
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private oldest = 0;
  private count = 0;
  /** What `begin` saw, for `rollback`: the ring's position and scale, and the pairs overwritten since. */
  private mark = { oldest: 0, count: 0, hDiag: 1 };
  private readonly overwritten: { slot: number; s: Float64Array; y: Float64Array; rho: number }[] = [];
  /** Vectors of pairs dropped by a committed step, reused by later overwrites (no allocation once warm). */
  private readonly spare: Float64Array[] = [];

  constructor(
    readonly n: number,
    readonly capacity: number,
  ) {
    this.rho = new Float64Array(capacity);
    this.alpha = new Float64Array(capacity);
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.oldest = 0;
    this.count = 0;
    this.hDiag = 1;
  }

  /**
   * Records the pair from the last step, s = t·d and y = g − gPrev, when its curvature yᵀs is
   * positive enough; the oldest pair makes room when full. Returns whether it was recorded.
   */
  push(t: number, d: Float64Array, g: Float64Array, gPrev: Float64Array): boolean {
    const n = this.n;
    let ys = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const yi = g[i] - gPrev[i];
      ys += yi * t * d[i];
      yy += yi * yi;
    }
    if (!(ys > MIN_CURVATURE)) return false;
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.oldest + this.count) % this.capacity;
      this.count++;
      if (this.s[slot] === undefined) {
        this.s[slot] = new Float64Array(n);
        this.y[slot] = new Float64Array(n);
      }
    } else {
      slot = this.oldest;
      this.oldest = (this.oldest + 1) % this.capacity;
      // Keep the oldest pair until the step commits: give the slot other vectors.
      this.overwritten.push({ slot, s: this.s[slot], y: this.y[slot], rho: this.rho[slot] });
      this.s[slot] = this.spare.pop() ?? new Float64Array(n);
      this.y[slot] = this.spare.pop() ?? new Float64Array(n);
    }
    const s = this.s[slot];
    const y = this.y[slot];
    for (let i = 0; i < n; i++) {
      s[i] = t * d[i];
      y[i] = g[i] - gPrev[i];
    }
    this.rho[slot] = 1 / ys;
    this.hDiag = ys / yy;
    return true;
  }

  /** Starts a step that may be undone. */
  begin(): void {
    this.mark.oldest = this.oldest;
    this.mark.count = this.count;
    this.mark.hDiag = this.hDiag;
  }

  /** Keeps what the step did; the pairs it dropped become spare vectors. */
  commit(): void {
    for (const pair of this.overwritten) this.spare.push(pair.s, pair.y);
    this.overwritten.length = 0;
  }

  /** Puts the history back as `begin` saw it (pairs added since are forgotten, overwritten ones return). */
  rollback(): void {
    for (let i = this.overwritten.length - 1; i >= 0; i--) {
      const { slot, s, y, rho } = this.overwritten[i];
      this.spare.push(this.s[slot], this.y[slot]);
      this.s[slot] = s;
      this.y[slot] = y;
      this.rho[slot] = rho;
    }
    this.overwritten.length = 0;
    this.oldest = this.mark.oldest;
    this.count = this.mark.count;
    this.hDiag = this.mark.hDiag;
  }

  /** Writes the quasi-Newton direction d = −H·g (two-loop recursion, newest pair first, then oldest first). */
  direction(g: Float64Array, d: Float64Array): void {
    const n = this.n;
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = (this.oldest + k) % this.capacity;
      const s = this.s[slot];
      const y = this.y[slot];
      let sq = 0;
      for (let i = 0; i < n; i++) sq += s[i] * d[i];
      const a = this.rho[slot] * sq;
      this.alpha[slot] = a;
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    const gamma = this.hDiag;
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.oldest + k) % this.capacity;
      const s = this.s[slot];
      const y = this.y[slot];
      let yr = 0;
      for (let i = 0; i < n; i++) yr += y[i] * d[i];
      const c = this.alpha[slot] - this.rho[slot] * yr;
      for (let i = 0; i < n; i++) d[i] += c * s[i];
    }
  }
}
