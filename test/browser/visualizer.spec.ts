// The visualizer's static build (as `npm run viz:build` makes it) in headless Chromium, served
// by a plain static server. Paths are compared bit for bit with the same race run in Node.
import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLIP_KNOB, fromSlider, knobFor, SLIDER_STEPS, toSlider } from "../../viz/knobs.js";
import { Viewport } from "../../viz/landscape.js";
import { OPTIMIZERS } from "../../viz/optimizers.js";
import { rosenbrock, SURFACES } from "../../viz/surfaces.js";
import { ISOLATED, launch, open, serve, type Console, type Site } from "./helpers/browser.js";
import { ARTIFACTS, VIZ_SITE } from "./helpers/paths.js";
import { raceInNode } from "./helpers/viz-in-node.js";
import { paths, playTo, reach, slide, vizState } from "./helpers/viz-page.js";

const distance = (path: number[], at: number, [x, y]: readonly number[]) => Math.hypot(path[at] - x, path[at + 1] - y);

describe("the visualizer, served without cross-origin isolation", () => {
  let browser: Browser;
  let site: Site;
  let page: Page;
  let console: Console;

  beforeAll(async () => {
    browser = await launch();
    site = await serve(VIZ_SITE);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  // A fresh page for each test: controls moved by one test must not leak into the next.
  beforeEach(async () => {
    ({ page, console } = await open(browser, site.url));
  });
  afterEach(async () => {
    await page?.close();
  });

  it("opens on Rosenbrock with three optimizers on wasm-simd", async () => {
    const state = await vizState(page);
    expect(state).toMatchObject({ backend: "wasm-simd", available: ["wasm-simd", "wasm", "js"], heapKind: "wasm-shared", surface: "rosenbrock", step: 0 });
    expect(paths(state).map((run) => run.label)).toEqual(["SGD", "SGD momentum", "Adam"]);
    expect(await page.textContent("#status")).toContain("wasm-simd");
    expect(await page.isChecked("#backend-wasm-simd")).toBe(true);
  });

  it("runs 200 steps of three optimizers toward the minimum, with the numbers Node gets", async () => {
    const state = await playTo(page, 200);
    const runs = paths(state);
    expect(runs).toHaveLength(3);
    for (const { label, path } of runs) {
      expect(path, label).toHaveLength(2 * 201);
      expect(distance(path, 400, [1, 1]), `${label} ends nearer (1, 1) than it started`).toBeLessThan(distance(path, 0, [1, 1]));
    }
    for (const run of state.runs.filter((r) => r.enabled)) expect(run.losses[200], run.label).toBeLessThan(run.losses[0]);
    expect(runs).toEqual(await raceInNode({ steps: 200 }));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "visualizer.png") });
    expect(console.errors).toEqual([]);
  });

  it("switches backend mid-animation without the paths jumping", async () => {
    const state = await playTo(page, 300, async () => {
      await reach(page, 60);
      await page.check("#backend-js");
      await reach(page, 160);
      await page.check("#backend-wasm");
    });
    expect(state.backend).toBe("wasm");
    expect(state.switches.map((s) => s.backend)).toEqual(["js", "wasm"]);
    for (const { step } of state.switches) expect(step > 0 && step < 300, `switched at step ${step}`).toBe(true);
    // Same heap, same state, same bits on every backend: the whole path is the one Node computes on wasm-simd.
    expect(paths(state)).toEqual(await raceInNode({ steps: 300 }));
    await page.check("#backend-wasm-simd");
    await page.waitForFunction(() => (globalThis as any).viz.state().backend === "wasm-simd");
    expect(console.errors).toEqual([]);
  });

  it("applies a hyperparameter change at the next step, without restarting", async () => {
    await page.click("#step");
    const knob = knobFor("lr", 0.05);
    if (knob.kind !== "range") throw new Error("lr should have a slider");
    const lr = fromSlider(knob, 800);
    await slide(page, "#optimizer-2-lr", 800); // Adam is the third optimizer
    expect((await vizState(page)).runs[2].options.lr).toBe(lr);
    await page.click("#step");
    await page.click("#step");
    const state = await vizState(page);
    expect(state.step).toBe(3);
    expect(paths(state)).toEqual(
      await raceInNode({ steps: 3, changes: [[1, "Adam", "lr", lr]] }),
    );
    // The change mattered: with the default lr Adam would be elsewhere.
    const unchanged = await raceInNode({ steps: 3 });
    expect(state.runs[2].path).not.toEqual(unchanged[2].path);
  });

  it("shows a refused option combination, holds that optimizer still, and resumes once it is valid", async () => {
    // SGD momentum (the second optimizer): Nesterov needs momentum > 0.
    await slide(page, "#optimizer-1-momentum", 0);
    await page.check("#optimizer-1-nesterov");
    await page.click("#step");
    await page.click("#step");
    let state = await vizState(page);
    expect(state.runs[1].error).toMatch(/^INVALID_HYPERPARAMETER: SGD: invalid nesterov/);
    expect(await page.textContent('.error[data-run="1"]')).toBe(state.runs[1].error);
    expect(state.runs[1].path).toHaveLength(2); // still at the start: the refused steps changed nothing
    expect(state.runs[0].path).toHaveLength(6); // the others went on
    await slide(page, "#optimizer-1-momentum", 500);
    await page.click("#step");
    state = await vizState(page);
    expect(state.runs[1].error).toBeNull();
    expect(state.runs[1].path).toHaveLength(4);
    expect(await page.textContent('.error[data-run="1"]')).toBe("");
    expect(console.errors).toEqual([]);
  });

  it("clips every optimizer's gradient norm when asked, as the library's maxGradNorm does", async () => {
    const position = toSlider(CLIP_KNOB, 10);
    const norm = fromSlider(CLIP_KNOB, position);
    await slide(page, "#clip", position);
    const clipped = await playTo(page, 50);
    expect(paths(clipped)).toEqual(await raceInNode({ steps: 50, maxGradNorm: norm }));
    expect(paths(clipped)).not.toEqual(await raceInNode({ steps: 50 }));
    expect(await page.textContent("#clip + output")).toBe(String(norm));
    await slide(page, "#clip", SLIDER_STEPS);
    expect(await page.textContent("#clip + output")).toBe("off");
  });

  it("races every optimizer it offers, each as Node computes it", async () => {
    const count = OPTIMIZERS.length;
    for (let k = 0; k < count; k++) if (!(await page.isChecked(`#optimizer-${k}`))) await page.check(`#optimizer-${k}`);
    const state = await playTo(page, 100);
    expect(state.runs.map((run) => [run.label, run.enabled, run.error])).toEqual(OPTIMIZERS.map((entry) => [entry.label, true, null]));
    expect(paths(state)).toEqual(await raceInNode({ steps: 100, all: true }));
    // Lookahead drives the same Adam: the paths agree for k − 1 = 4 steps, then the slow weights pull it back.
    const path = (label: string) => paths(state).find((run) => run.label === label)!.path;
    expect(path("Adam + Lookahead").slice(0, 2 * 5)).toEqual(path("Adam").slice(0, 2 * 5));
    expect(path("Adam + Lookahead").slice(2 * 5, 2 * 6)).not.toEqual(path("Adam").slice(2 * 5, 2 * 6));
    expect(console.errors).toEqual([]);
  });

  it("starts every optimizer where the map is clicked", async () => {
    await page.click("#paths", { position: { x: 450, y: 300 } });
    const state = await vizState(page);
    const [x, y] = new Viewport(rosenbrock, 600, 450).toWorld(450, 300);
    expect(state.start[0]).toBeCloseTo(x, 1);
    expect(state.start[1]).toBeCloseTo(y, 1);
    const start = Array.from(new Float32Array(state.start));
    for (const { path } of paths(state)) expect(path).toEqual(start);
    const after = await playTo(page, 50);
    expect(paths(after)).toEqual(
      await raceInNode({ steps: 50, start: state.start }),
    );
  });

  it("draws and runs every surface, the quadratic's condition number and gradient noise included", async () => {
    for (const { id } of SURFACES) {
      await page.selectOption("#surface", id);
      for (let k = 0; k < 5; k++) await page.click("#step");
      const state = await vizState(page);
      expect(state.surface).toBe(id);
      for (const run of state.runs.filter((r) => r.enabled)) {
        expect(run.path.slice(0, 2), `${id} ${run.label} starts at the surface's start`).toEqual(Array.from(new Float32Array(state.start)));
        expect(run.losses, `${id} ${run.label}`).toHaveLength(6);
        expect(run.losses.every(Number.isFinite), `${id} ${run.label}`).toBe(true);
      }
    }
    // The quadratic (selected last) is rebuilt when κ moves: the loss at the same start changes.
    expect(await page.isVisible("#condition")).toBe(true);
    const before = (await vizState(page)).runs[0].losses[0];
    await slide(page, "#condition", 0); // κ = 1: a round bowl
    const round = await vizState(page);
    expect(round.runs[0].losses[0]).not.toBe(before);
    expect(round.runs[0].losses[0]).toBeCloseTo(0.5 * (3.5 ** 2 + 0.5 ** 2), 12); // ½|x|² at the start (−3.5, 0.5)

    // Noise: the same draw after a reset (every run sees the same noise), and not the noise-free path.
    await page.selectOption("#surface", "rosenbrock");
    const clean = await playTo(page, 20);
    await slide(page, "#noise", 500);
    await page.click("#reset");
    const noisy = await playTo(page, 20);
    await page.click("#reset");
    const again = await playTo(page, 20);
    expect(paths(noisy)).toEqual(paths(again));
    expect(paths(noisy)).not.toEqual(paths(clean));
    await slide(page, "#noise", 0);
    expect(console.errors).toEqual([]);
  });
});

describe("the visualizer, cross-origin isolated", () => {
  let browser: Browser;
  let site: Site;

  beforeAll(async () => {
    browser = await launch();
    site = await serve(VIZ_SITE, ISOLATED);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("runs on a shared WebAssembly.Memory with the same paths", async () => {
    const { page, console } = await open(browser, site.url);
    const state = await playTo(page, 100);
    expect(state.heapKind).toBe("wasm-shared");
    expect(state.backend).toBe("wasm-simd");
    expect(paths(state)).toEqual(await raceInNode({ steps: 100 }));
    expect(console.errors).toEqual([]);
  });
});

describe("the visualizer, served from a sub-path of a static server", () => {
  it("loads its assets by relative URL and runs", async () => {
    const browser = await launch();
    const site = await serve(dirname(VIZ_SITE)); // out/, so the page is at /viz/
    try {
      const { page, console } = await open(browser, `${site.url}${basename(VIZ_SITE)}/`);
      const state = await playTo(page, 20);
      expect(state.backend).toBe("wasm-simd");
      expect(paths(state)).toEqual(await raceInNode({ steps: 20 }));
      expect(console.errors).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
    }
  });
});
