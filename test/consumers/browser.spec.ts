// (d) and (e): in Chromium, dist/ loaded as plain ES modules through an import map, and a Vite
// build of a small app; both give the sources' numbers. Reports the Vite bundle's size.
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { build, type Rolldown } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, open, serve } from "../browser/helpers/browser.js";
import { stepOnSources, type StepResult } from "./helpers/expected.js";

const { app } = inject("consumer");

let browser: Browser;
let expected: StepResult;
beforeAll(async () => {
  [browser, expected] = await Promise.all([launch(), stepOnSources()]);
});
afterAll(async () => {
  await browser?.close();
});

/** Serves `dir`, opens `page` there and returns the step the page ran, with its console errors. */
async function runPage(dir: string, page: string): Promise<{ result: unknown; errors: string[] }> {
  const site = await serve(dir);
  try {
    const opened = await open(browser, new URL(page, site.url).href);
    const result = await opened.page.evaluate(() => (globalThis as { consumerResult?: unknown }).consumerResult);
    return { result, errors: opened.console.errors };
  } finally {
    await site.close();
  }
}

describe("in Chromium", () => {
  it("(d) loads dist/ through an import map, without a bundler, and steps", async () => {
    const { result, errors } = await runPage(app, "importmap.html");
    expect(errors).toEqual([]);
    expect(result).toEqual(expected);
  });

  it("(e) runs a Vite build of an app that imports the package", async () => {
    const outDir = join(app, "vite-dist");
    const output = (await build({
      configFile: false,
      root: join(app, "vite-app"),
      base: "./",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    })) as Rolldown.RolldownOutput;
    const chunks = output.output.filter((file) => file.type === "chunk");
    const raw = chunks.reduce((total, chunk) => total + Buffer.byteLength(chunk.code), 0);
    const gzip = chunks.reduce((total, chunk) => total + gzipSync(chunk.code).length, 0);
    console.log(`Vite consumer bundle (Adam + createEngine): ${(raw / 1000).toFixed(1)} kB raw, ${(gzip / 1000).toFixed(1)} kB gzip, ${chunks.length} chunk(s)`);
    const { result, errors } = await runPage(outDir, "index.html");
    expect(errors).toEqual([]);
    expect(result).toEqual(expected);
  });
});
