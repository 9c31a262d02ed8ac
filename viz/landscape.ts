// The filled contour map of a surface (d3-contour), drawn once per surface on the lower canvas.
import { contours } from "d3-contour";
import { scaleSequential } from "d3-scale";
import { interpolateYlGnBu } from "d3-scale-chromatic";
import type { Surface } from "./surfaces.js";

/** Maps the surface's view onto a width × height box of CSS pixels (same scale on both axes). */
export class Viewport {
  readonly xMin: number;
  readonly yMax: number;
  readonly scale: number;

  constructor(
    surface: Surface,
    readonly width: number,
    readonly height: number,
  ) {
    const { cx, cy, halfWidth } = surface.view;
    this.scale = width / (2 * halfWidth);
    this.xMin = cx - halfWidth;
    this.yMax = cy + height / (2 * this.scale);
  }

  toPixels(x: number, y: number): [number, number] {
    return [(x - this.xMin) * this.scale, (this.yMax - y) * this.scale];
  }

  toWorld(px: number, py: number): [number, number] {
    return [this.xMin + px / this.scale, this.yMax - py / this.scale];
  }
}

/** Grid cells per CSS pixel: fine enough for smooth contours, cheap enough to redraw on a slider. */
const CELLS_PER_PIXEL = 1 / 3;
const LEVELS = 24;

/**
 * Heights are drawn on a log scale above the minimum where there is one (Rosenbrock's valley spans
 * five decades), linearly on the saddle, which has no minimum.
 */
function height(surface: Surface, x: number, y: number): number {
  const f = surface.loss(x, y);
  return surface.minLoss === null ? f : Math.log10(f - surface.minLoss + 1e-2);
}

export function drawLandscape(canvas: HTMLCanvasElement, view: Viewport, surface: Surface): void {
  const ctx = prepare(canvas, view);
  const nx = Math.round(view.width * CELLS_PER_PIXEL);
  const ny = Math.round(view.height * CELLS_PER_PIXEL);
  const cell = view.width / nx;
  const values = new Float64Array(nx * ny);
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const [x, y] = view.toWorld((i + 0.5) * cell, (j + 0.5) * cell);
      const z = height(surface, x, y);
      values[i + j * nx] = z;
      lo = Math.min(lo, z);
      hi = Math.max(hi, z);
    }
  }
  const thresholds = Array.from({ length: LEVELS }, (_, k) => lo + ((hi - lo) * k) / LEVELS);
  const colour = scaleSequential(interpolateYlGnBu).domain([hi, lo]);
  ctx.lineWidth = 0.5;
  ctx.strokeStyle = "rgba(255, 255, 255, 0.35)";
  // Each band covers everything at or above its threshold; drawn low to high they stack up.
  for (const band of contours().size([nx, ny]).thresholds(thresholds)(Array.from(values))) {
    ctx.beginPath();
    for (const polygon of band.coordinates) {
      for (const ring of polygon) {
        ring.forEach(([gx, gy], k) => (k === 0 ? ctx.moveTo(gx * cell, gy * cell) : ctx.lineTo(gx * cell, gy * cell)));
        ctx.closePath();
      }
    }
    ctx.fillStyle = colour(band.value);
    ctx.fill("evenodd");
    ctx.stroke();
  }
}

/** Sizes the canvas for the device's pixel ratio and returns a context that draws in CSS pixels. */
export function prepare(canvas: HTMLCanvasElement, view: Viewport): CanvasRenderingContext2D {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = Math.round(view.width * ratio);
  const height = Math.round(view.height * ratio);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, view.width, view.height);
  return ctx;
}
