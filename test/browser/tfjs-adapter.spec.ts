// wasm-optim/tfjs in Chromium: the adapter trains a tfjs-layers model to tf.train.adam's values on
// TF.js's cpu, wasm and webgl backends (the Vite bundle of src/tfjs with @tensorflow/tfjs), leaking no
// tensor. WebGL runs on Chromium's software renderer here; on it each step reads every gradient back
// from the GPU (dataSync) and uploads the new values, which the printed times include.
import type { Page } from "playwright-core";
import { build } from "vite";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSite, type Console, type OpenSite } from "./helpers/browser.js";

const at = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

describe("wasm-optim/tfjs in Chromium", () => {
  let site: OpenSite;
  let page: Page;
  let console: Console;

  beforeAll(async () => {
    await build({ configFile: at("test/browser/tfjs-fixture/vite.config.ts"), logLevel: "warn" });
    site = await openSite(at("out/browser-tfjs-fixture"));
    ({ page, console } = site);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
  });
  afterAll(() => site?.close());

  it.each(["cpu", "wasm", "webgl"])("matches tf.train.adam over 50 steps on TF.js's %s backend, leaking no tensor", async (backend) => {
    const result = await page.evaluate((name) => (globalThis as any).tfjsAdapterPage.run(name), backend);
    expect(result).toMatchObject({ backend, started: true, engineBackend: "wasm-simd", tensorsLeaked: 0 });
    expect(result.moved).toBeGreaterThan(0.01);
    expect(result.difference).toBeLessThanOrEqual(1e-5);
    process.stderr.write(`Chromium, TF.js ${backend}: tf.train.adam ${result.tfjsMsPerStep.toFixed(2)} ms/step, adapter ${result.adapterMsPerStep.toFixed(2)} ms/step (trainOnBatch, forward and backward included)\n`);
    expect(console.errors).toEqual([]);
  });
});
