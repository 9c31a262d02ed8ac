// Where WebAssembly cannot run, the library still does, on the js backend, and says so: a page
// without WebAssembly at all (Safari's Lockdown Mode; removed here by an init script before any page
// script runs), and a page whose Content-Security-Policy forbids compiling it.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { launch, open, serve, WITHOUT_WEBASSEMBLY, type Site } from "./helpers/browser.js";
import { FIXTURE_SITE, VIZ_SITE } from "./helpers/paths.js";
import { raceInNode } from "./helpers/viz-in-node.js";
import { paths, playTo, vizState } from "./helpers/viz-page.js";
import { runScenario, type ScenarioResult } from "./scenario.js";

/** No 'wasm-unsafe-eval': Chromium then throws CompileError on WebAssembly.compile. */
const NO_WASM_CSP = { "Content-Security-Policy": "script-src 'self'" };
const WASM_CSP = { "Content-Security-Policy": "script-src 'self' 'wasm-unsafe-eval'" };

let browser: Browser;
const sites: Site[] = [];
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  for (const site of sites) await site.close();
});
async function site(dir: string, headers: Record<string, string> = {}): Promise<Site> {
  const served = await serve(dir, headers);
  sites.push(served);
  return served;
}

// Node's results, computed when first needed (a rejected promise made up front would go unhandled).
let nodeJsResult: Promise<ScenarioResult> | undefined;
const nodeJs = () => (nodeJsResult ??= runScenario(lib, "js"));
let raceResult: Promise<{ label: string; path: number[] }[]> | undefined;
const race = () => (raceResult ??= raceInNode({ steps: 50 }));

describe("a page without WebAssembly", () => {
  it("runs the library on js, with Node's numbers, and the page says so", async () => {
    const { page, console } = await open(browser, (await site(FIXTURE_SITE)).url, WITHOUT_WEBASSEMBLY);
    const about = await page.evaluate(() => (globalThis as any).wasmOptimPage.ready);
    expect(about).toMatchObject({ backend: "js", available: ["js"], heapKind: "resizable", webAssembly: false, warnings: [] });
    expect(await page.textContent("#status")).toBe("wasm-optim runs here on the js backend (heap: resizable); WebAssembly is not available in this page");
    const result: ScenarioResult = await page.evaluate(() => (globalThis as any).wasmOptimPage.runScenario("js"));
    expect(result.bits).toEqual((await nodeJs()).bits);
    const refused = await page.evaluate(() => (globalThis as any).wasmOptimPage.runScenario("wasm-simd").then(() => "ran", (e: any) => e.code));
    expect(refused).toBe("BACKEND_UNAVAILABLE");
    expect(console.errors).toEqual([]);
  });

  it("runs the visualizer on js, with the wasm choices disabled and a notice", async () => {
    const { page, console } = await open(browser, (await site(VIZ_SITE)).url, WITHOUT_WEBASSEMBLY);
    const state = await playTo(page, 50);
    expect(state).toMatchObject({ backend: "js", available: ["js"], heapKind: "resizable" });
    expect(await page.textContent("#notices")).toContain("WebAssembly is not available in this page");
    expect(await page.textContent("#status")).toContain("js backend");
    expect(await page.isDisabled("#backend-wasm-simd")).toBe(true);
    expect(await page.isDisabled("#backend-wasm")).toBe(true);
    expect(paths(state)).toEqual(await race());
    expect(console.errors).toEqual([]);
    expect(console.warnings).toEqual([]);
  });
});

describe("a page whose Content-Security-Policy forbids compiling WebAssembly", () => {
  it("falls back to js with one console warning, with Node's numbers", async () => {
    const { page, console } = await open(browser, (await site(FIXTURE_SITE, NO_WASM_CSP)).url);
    const about = await page.evaluate(() => (globalThis as any).wasmOptimPage.ready);
    expect(about).toMatchObject({ backend: "js", heapKind: "wasm-shared", webAssembly: true });
    expect(about.warnings).toHaveLength(1);
    expect(console.warnings).toEqual(about.warnings);
    expect(console.warnings[0]).toMatch(/^wasm-optim: the wasm-simd backend failed to start .*CompileError.*; using the js backend instead$/);
    const result: ScenarioResult = await page.evaluate(() => (globalThis as any).wasmOptimPage.runScenario("js"));
    expect(result.bits).toEqual((await nodeJs()).bits);
    expect(console.errors).toEqual([]);
    expect(console.warnings).toHaveLength(1);
  });

  it("runs the visualizer on js, shows the warning, and refuses a switch to wasm without failing", async () => {
    const { page, console } = await open(browser, (await site(VIZ_SITE, NO_WASM_CSP)).url);
    const state = await playTo(page, 50);
    expect(state.backend).toBe("js");
    expect(paths(state)).toEqual(await race());
    expect(console.warnings).toHaveLength(1);
    expect(state.notices).toEqual(console.warnings);
    await page.click("#backend-wasm-simd"); // the engine refuses, and the switch shows js again
    await page.waitForFunction(() => (globalThis as any).viz.state().notices.length === 2);
    const after = await vizState(page);
    expect(after.backend).toBe("js");
    expect(after.notices[1]).toMatch(/^BACKEND_UNAVAILABLE: /);
    expect(await page.isChecked("#backend-js")).toBe(true);
    expect(console.errors).toEqual([]);
    expect(console.warnings).toHaveLength(1);
  });

  it("uses wasm-simd, silently, once the policy allows 'wasm-unsafe-eval'", async () => {
    const { page, console } = await open(browser, (await site(FIXTURE_SITE, WASM_CSP)).url);
    const about = await page.evaluate(() => (globalThis as any).wasmOptimPage.ready);
    expect(about).toMatchObject({ backend: "wasm-simd", warnings: [] });
    expect(console.warnings).toEqual([]);
    expect(console.errors).toEqual([]);
  });
});
