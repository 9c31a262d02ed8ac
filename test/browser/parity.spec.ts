// The same optimizer runs give the same bits in Chromium (the Vite bundle of src/index.ts) as in
// Node (the sources), on every backend, whether or not the page is cross-origin isolated.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import type { BackendName } from "../../src/index.js";
import { uniform } from "../helpers/random.js";
import { ISOLATED, openSite, type Console, type OpenSite } from "./helpers/browser.js";
import { FIXTURE_SITE } from "./helpers/paths.js";
import { optimizerClasses, runScenario, type ScenarioResult } from "./scenario.js";

const BACKENDS: BackendName[] = ["wasm-simd", "wasm", "js"];

const inNode = new Map<BackendName, Promise<ScenarioResult>>();
const nodeRun = (backend: BackendName) => {
  if (!inNode.has(backend)) inNode.set(backend, runScenario(lib, backend));
  return inNode.get(backend)!;
};

/** Names the first differing float, rather than printing tens of thousands of numbers. */
function expectSameBits(actual: ScenarioResult, expected: ScenarioResult): void {
  expect(Object.keys(actual.bits)).toEqual(Object.keys(expected.bits));
  for (const [key, bits] of Object.entries(expected.bits)) {
    const other = actual.bits[key];
    expect(other.length, `${key}: length`).toBe(bits.length);
    const at = bits.findIndex((b, i) => b !== other[i]);
    expect(at, `${key}: first differing float at index ${at}`).toBe(-1);
  }
}

describe("the parity scenario", () => {
  it("covers every optimizer the library exports, and moves every parameter", async () => {
    const names = optimizerClasses(lib).map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(["SGD", "Adam", "AdamW"]));
    const result = await nodeRun("js");
    for (const name of names) expect(Object.keys(result.bits).some((key) => key.startsWith(`${name} `))).toBe(true);
    // The first 1027 floats of a case are its first parameter, which starts at uniform(1027, 7, -2, 2).
    const initial = Array.from(new Uint32Array(uniform(1027, 7, -2, 2).buffer));
    for (const [key, bits] of Object.entries(result.bits)) {
      const unmoved = initial.filter((b, i) => b === bits[i]).length;
      expect(unmoved, `${key}: parameters left unchanged`).toBeLessThan(10);
    }
  });

  it("gives the same bits on every backend in Node", async () => {
    const [first, ...others] = await Promise.all(BACKENDS.map(nodeRun));
    for (const other of others) expectSameBits(other, first);
  });
});

// Chromium makes a shared memory even where the page is not cross-origin isolated (it only hides
// the SharedArrayBuffer global); sharedMemory: false exercises the unshared path, whose growth
// detaches views, as in browsers that refuse shared memory there.
describe.each([
  ["a page that is not cross-origin isolated", {}, true, "wasm-shared"],
  ["a page that is not cross-origin isolated, with sharedMemory: false", {}, false, "wasm"],
  ["a cross-origin-isolated page", ISOLATED, true, "wasm-shared"],
] as const)("in Chromium, %s", (_, headers, sharedMemory, heapKind) => {
  let site: OpenSite;
  let page: Page;
  let console: Console;

  beforeAll(async () => {
    site = await openSite(FIXTURE_SITE, headers);
    ({ page, console } = site);
  });
  afterAll(() => site?.close());

  it("loads the library on wasm-simd with a shared heap", async () => {
    const about = await page.evaluate(() => (globalThis as any).wasmOptimPage.ready);
    expect(about).toMatchObject({ backend: "wasm-simd", available: BACKENDS, heapKind: "wasm-shared", webAssembly: true, warnings: [] });
    expect(about.crossOriginIsolated).toBe(headers === ISOLATED);
    expect(await page.textContent("#status")).toBe("wasm-optim runs here on the wasm-simd backend (heap: wasm-shared)");
  });

  it.each(BACKENDS)("gives the same bits as Node on %s", async (backend) => {
    const inBrowser: ScenarioResult = await page.evaluate(
      ([name, shared]) => (globalThis as any).wasmOptimPage.runScenario(name, shared),
      [backend, sharedMemory] as const,
    );
    expect(inBrowser.backend).toBe(backend);
    expect(inBrowser.heapKind).toBe(heapKind);
    expect(inBrowser.grewDuringRun).toBe(true);
    expectSameBits(inBrowser, await nodeRun(backend));
  });

  it("logs nothing to the console", () => {
    expect(console.errors).toEqual([]);
    expect(console.warnings).toEqual([]);
  });
});
