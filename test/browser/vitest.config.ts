// The browser tests (`npm run test:browser`): real headless Chromium from Debian's `chromium`
// package, driven by playwright-core; nothing downloads a browser.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/browser/**/*.spec.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One Chromium at a time: each file starts its own, and CI machines may have two cores.
    fileParallelism: false,
  },
});
