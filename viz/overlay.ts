// The upper canvas: each optimizer's path in its colour, the start point and the targets.
import { prepare, type Viewport } from "./landscape.js";
import type { Run } from "./simulation.js";
import type { Surface } from "./surfaces.js";

export function drawOverlay(canvas: HTMLCanvasElement, view: Viewport, surface: Surface, start: readonly number[], runs: readonly Run[]): void {
  const ctx = prepare(canvas, view);
  for (const [x, y] of surface.targets) star(ctx, ...view.toPixels(x, y));
  for (const run of runs) {
    if (run.path.length < 2) continue;
    ctx.beginPath();
    for (let k = 0; k < run.path.length; k += 2) {
      const [px, py] = view.toPixels(run.path[k], run.path[k + 1]);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    // A dark halo under the colour keeps every path readable on light and dark bands.
    ctx.lineJoin = "round";
    ctx.strokeStyle = "rgba(0, 0, 0, 0.55)";
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = run.colour;
    ctx.lineWidth = 2;
    ctx.stroke();
    const [ex, ey] = view.toPixels(run.path[run.path.length - 2], run.path[run.path.length - 1]);
    dot(ctx, ex, ey, 5, run.colour);
  }
  dot(ctx, ...view.toPixels(start[0], start[1]), 6, "#ffffff");
}

function dot(ctx: CanvasRenderingContext2D, x: number, y: number, radius: number, fill: string): void {
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = "#000000";
  ctx.stroke();
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? 9 : 4;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = "#ffd400";
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#000000";
  ctx.stroke();
}
