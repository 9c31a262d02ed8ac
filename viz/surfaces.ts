// The 2D loss landscapes: value and gradient in float64, the region drawn, where to start, and
// what the optimizers are looking for.

export interface Surface {
  readonly id: string;
  readonly label: string;
  /** Centre and half-width of the region drawn; its height is 3/4 of its width, like the map. */
  readonly view: { cx: number; cy: number; halfWidth: number };
  readonly start: readonly [number, number];
  /** Global minima (drawn as stars); for the saddle, the stationary point. */
  readonly targets: readonly (readonly [number, number])[];
  /** The minimum value, or null when the surface is unbounded below (then loss is drawn linearly). */
  readonly minLoss: number | null;
  /** The largest gradient-noise σ the slider offers: about the gradient's size over the view. */
  readonly noiseMax: number;
  loss(x: number, y: number): number;
  /** Writes ∂f/∂x and ∂f/∂y into out[0], out[1]. */
  gradient(x: number, y: number, out: Float64Array): void;
}

export const rosenbrock: Surface = {
  id: "rosenbrock",
  label: "Rosenbrock",
  view: { cx: 0, cy: 0.7, halfWidth: 2 },
  start: [-1.5, 2],
  targets: [[1, 1]],
  minLoss: 0,
  noiseMax: 100,
  loss: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient(x, y, out) {
    out[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    out[1] = 200 * (y - x * x);
  },
};

export const beale: Surface = {
  id: "beale",
  label: "Beale",
  view: { cx: 0, cy: 0, halfWidth: 4.5 },
  start: [0.7, 1.4],
  targets: [[3, 0.5]],
  minLoss: 0,
  noiseMax: 20,
  loss(x, y) {
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y * y;
    const c = 2.625 - x + x * y ** 3;
    return a * a + b * b + c * c;
  },
  gradient(x, y, out) {
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y * y;
    const c = 2.625 - x + x * y ** 3;
    out[0] = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1);
    out[1] = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y;
  },
};

export const himmelblau: Surface = {
  id: "himmelblau",
  label: "Himmelblau",
  view: { cx: 0, cy: 0, halfWidth: 6 },
  start: [0, 0],
  // Himmelblau (1972); the three irrational minima to the digits usually quoted.
  targets: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]],
  minLoss: 0,
  noiseMax: 50,
  loss: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  gradient(x, y, out) {
    const a = x * x + y - 11;
    const b = x + y * y - 7;
    out[0] = 4 * a * x + 2 * b;
    out[1] = 2 * a + 4 * b * y;
  },
};

export const saddle: Surface = {
  id: "saddle",
  label: "Saddle x² − y²",
  view: { cx: 0, cy: 0, halfWidth: 2 },
  // Almost on the ridge: plain gradient descent crawls to the saddle before it escapes.
  start: [-1.8, 0.01],
  targets: [[0, 0]],
  minLoss: null,
  noiseMax: 2,
  loss: (x, y) => x * x - y * y,
  gradient(x, y, out) {
    out[0] = 2 * x;
    out[1] = -2 * y;
  },
};

/**
 * ½(u² + v²/κ) in axes (u, v) rotated by 30°: curvatures 1 and 1/κ, so κ is the condition
 * number. The rotation keeps the valley off the coordinate axes, where per-coordinate methods
 * (Adam, RMSprop) would undo the conditioning for free.
 */
export function illConditioned(condition: number): Surface {
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const k = 1 / condition;
  return {
    id: "quadratic",
    label: "Ill-conditioned quadratic",
    view: { cx: 0, cy: 0, halfWidth: 4 },
    start: [-3.5, 0.5],
    targets: [[0, 0]],
    minLoss: 0,
    noiseMax: 2,
    loss(x, y) {
      const u = c * x + s * y;
      const v = -s * x + c * y;
      return 0.5 * (u * u + k * v * v);
    },
    gradient(x, y, out) {
      const u = c * x + s * y;
      const v = -s * x + c * y;
      out[0] = c * u - s * k * v;
      out[1] = s * u + c * k * v;
    },
  };
}

export interface SurfaceChoice {
  readonly id: string;
  readonly label: string;
  make(condition: number): Surface;
}

const fixed = (surface: Surface): SurfaceChoice => ({ id: surface.id, label: surface.label, make: () => surface });

/** The choices of the surface menu; the quadratic is rebuilt when its condition number changes. */
export const SURFACES: readonly SurfaceChoice[] = [
  fixed(rosenbrock),
  fixed(beale),
  fixed(himmelblau),
  fixed(saddle),
  { id: "quadratic", label: "Ill-conditioned quadratic", make: illConditioned },
];
