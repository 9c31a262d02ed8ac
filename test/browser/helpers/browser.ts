// Chromium, a static server with chosen headers, and a page that records its console.
import { chromium, type Browser, type Page } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM } from "./paths.js";

/** Makes the page cross-origin isolated, so SharedArrayBuffer exists and the heap can be shared. */
export const ISOLATED = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM });
}

export interface Site {
  url: string;
  close(): Promise<void>;
}

/** Serves a built directory as any static server would, with these response headers. */
export async function serve(dir: string, headers: Record<string, string> = {}): Promise<Site> {
  const server = await preview({
    configFile: false,
    root: dir,
    logLevel: "silent",
    build: { outDir: "." },
    preview: { host: "127.0.0.1", port: 0, headers },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error(`the static server for ${dir} did not report its address`);
  return { url, close: () => server.close() };
}

export interface Console {
  errors: string[];
  warnings: string[];
}

/** Removes WebAssembly before any page script runs, as Safari's Lockdown Mode does. */
export const WITHOUT_WEBASSEMBLY = "delete globalThis.WebAssembly;";

/** Opens `url`, after running the `init` script (if any) before any page script, recording console output. */
export async function open(browser: Browser, url: string, init?: string): Promise<{ page: Page; console: Console }> {
  const page = await browser.newPage({ viewport: { width: 1180, height: 800 } });
  const console: Console = { errors: [], warnings: [] };
  page.on("console", (message) => {
    if (message.type() === "error") console.errors.push(message.text());
    if (message.type() === "warning") console.warnings.push(message.text());
  });
  page.on("pageerror", (error) => console.errors.push(`uncaught: ${error.message}`));
  if (init) await page.addInitScript({ content: init });
  await page.goto(url);
  return { page, console };
}

export interface OpenSite {
  page: Page;
  console: Console;
  close(): Promise<void>;
}

/** Launches Chromium, serves `dir` with `headers` and opens it: one call for a spec's beforeAll. */
export async function openSite(dir: string, headers: Record<string, string> = {}): Promise<OpenSite> {
  const browser = await launch();
  const site = await serve(dir, headers);
  const { page, console } = await open(browser, site.url);
  return { page, console, close: async () => (await browser.close(), await site.close()) };
}
