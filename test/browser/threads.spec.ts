// Threads in Chromium: a cross-origin-isolated page runs 2 threads (Web Workers on the shared heap)
// and gives Node's bits; a page that is not isolated cannot post the memory to workers, so it runs
// on one thread, with the same bits and one warning.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { ISOLATED, openSite, type OpenSite } from "./helpers/browser.js";
import { FIXTURE_SITE } from "./helpers/paths.js";
import { runThreadsScenario, type ThreadsResult } from "./threads-scenario.js";

let inNode: Promise<ThreadsResult> | undefined;
const nodeRun = () => (inNode ??= runThreadsScenario(lib, 1));

describe.each([
  ["a cross-origin-isolated page", ISOLATED, 2],
  ["a page that is not cross-origin isolated", {}, 1],
] as const)("in Chromium, %s", (_, headers, expectedThreads) => {
  let site: OpenSite;

  beforeAll(async () => {
    site = await openSite(FIXTURE_SITE, headers);
    await site.page.evaluate(() => (globalThis as any).wasmOptimPage.ready);
  });
  afterAll(() => site?.close());

  it(`threads: 2 runs on ${expectedThreads} thread(s) and gives Node's one-thread bits`, async () => {
    const inBrowser: ThreadsResult = await site.page.evaluate(() => (globalThis as any).wasmOptimPage.runThreads(2));
    expect(inBrowser.threads).toBe(expectedThreads);
    const reference = await nodeRun();
    expect(reference.threads).toBe(1);
    expect(inBrowser.bits.length).toBe(reference.bits.length);
    const at = inBrowser.bits.findIndex((b, i) => b !== reference.bits[i]);
    expect(at, `first differing float at index ${at}`).toBe(-1);
    if (expectedThreads === 1) {
      expect(inBrowser.warnings).toHaveLength(1);
      expect(inBrowser.warnings[0]).toMatch(/cross-origin-isolated/);
    } else {
      expect(inBrowser.warnings).toEqual([]);
    }
  });

  it("logs no error", () => {
    expect(site.console.errors).toEqual([]);
  });
});
