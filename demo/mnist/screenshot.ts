// Renders a report's charts to a PNG in headless Chromium, for the README:
//   npx tsx demo/mnist/screenshot.ts [out/mnist/report.html] [docs/mnist-report.png]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [reportPath = "out/mnist/report.html", pngPath = "docs/mnist-report.png"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // Offline and quiet: no GPU, no sandbox (containers), no background fetches of any kind.
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  // The report is self-contained: refuse every request other than the file itself.
  await page.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(resolve(reportPath)).href);
  await page.waitForFunction(() => document.querySelectorAll("canvas").length > 0 && typeof (window as any).Chart === "function");
  await page.locator("#charts").screenshot({ path: pngPath });
  console.log(`wrote ${resolve(pngPath)}`);
} finally {
  await browser.close();
}
