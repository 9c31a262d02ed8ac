/** Test problems with a known minimum: loss and gradient written into `grad`, from `x`. */
export interface Problem {
  name: string;
  start: readonly number[];
  minimum: readonly number[];
  loss(x: ArrayLike<number>): number;
  gradient(x: ArrayLike<number>, grad: Float32Array): void;
}

/** f(x) = ½ Σ aᵢ (xᵢ − cᵢ)², curvatures aᵢ from 1 to 10: minimum at c. */
export const quadraticBowl: Problem = {
  name: "quadratic bowl",
  start: [3, -2, 1, 0, -4, 2, 5, -1],
  minimum: [1, 2, -1, 0.5, 0, -2, 3, 1],
  loss(x) {
    let f = 0;
    for (let i = 0; i < 8; i++) f += 0.5 * (1 + (9 * i) / 7) * (x[i] - this.minimum[i]) ** 2;
    return f;
  },
  gradient(x, grad) {
    for (let i = 0; i < 8; i++) grad[i] = (1 + (9 * i) / 7) * (x[i] - this.minimum[i]);
  },
};

/** Rosenbrock's banana: f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1). */
export const rosenbrock: Problem = {
  name: "Rosenbrock",
  start: [-1.5, 2],
  minimum: [1, 1],
  loss(p) {
    const x = p[0], y = p[1];
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  },
  gradient(p, grad) {
    const x = p[0], y = p[1];
    grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    grad[1] = 200 * (y - x * x);
  },
};
