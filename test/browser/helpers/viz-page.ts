// Driving the visualizer page through its controls, and reading its state (window.viz.state()).
import type { Page } from "playwright-core";

export interface VizRun {
  label: string;
  enabled: boolean;
  options: Record<string, number | boolean | string>;
  error: string | null;
  path: number[];
  losses: number[];
}

export interface VizState {
  backend: string;
  available: string[];
  heapKind: string;
  notices: string[];
  switches: { step: number; backend: string }[];
  surface: string;
  targets: [number, number][];
  start: [number, number];
  step: number;
  maxGradNorm: number | null;
  playing: boolean;
  runs: VizRun[];
}

export async function vizState(page: Page): Promise<VizState> {
  await page.waitForFunction(() => (globalThis as any).viz !== undefined);
  return page.evaluate(() => (globalThis as any).viz.state());
}

/** Sets "stop at step", presses Play and waits until the animation stops there by itself. */
export async function playTo(page: Page, steps: number, during?: (step: number) => Promise<void>): Promise<VizState> {
  await page.fill("#stop-at", String(steps));
  await page.dispatchEvent("#stop-at", "change");
  await page.click("#play");
  await during?.(steps);
  await page.waitForFunction((n) => {
    const s = (globalThis as any).viz.state();
    return !s.playing && s.step === n;
  }, steps);
  return vizState(page);
}

/** Waits until the animation has passed `step`. */
export async function reach(page: Page, step: number): Promise<void> {
  await page.waitForFunction((n) => (globalThis as any).viz.state().step >= n, step);
}

/** Moves a slider to a position (0..1000) as a user's drag would, firing its input event. */
export async function slide(page: Page, selector: string, position: number): Promise<void> {
  await page.$eval(
    selector,
    (input, value) => {
      (input as HTMLInputElement).value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    position,
  );
}

/** The enabled runs' paths, as the page holds them. */
export const paths = (state: VizState) => state.runs.filter((run) => run.enabled).map((run) => ({ label: run.label, path: run.path }));
